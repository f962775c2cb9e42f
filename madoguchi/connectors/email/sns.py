"""Amazon SNS message signatures, verified the way AWS documents it.

anymail checks only basic auth and that the SNS headers match the body, so anyone who knows
the webhook secret (it travels in the subscription URL) could post a forged SES mail. Each
SNS message is signed by AWS: the documented key/value lines ("Key\\nValue\\n" in a fixed
order, which depends on the message type) signed with RSA, SHA1 for SignatureVersion 1 and
SHA256 for 2. The public key is the certificate at SigningCertURL, which must be an https
address of an SNS host (`sns.<region>.amazonaws.com`, `.amazonaws.com.cn` in China) and a
.pem file; TLS to that host is what makes the certificate AWS's. Certificates are cached
per URL in the process for an hour.

Settings: AMAZON_SNS_VERIFY (MADOGUCHI_AMAZON_SNS_VERIFY, default on; off only for set-ups
that cannot reach AWS) and AMAZON_SES_TOPIC_ARNS (MADOGUCHI_AMAZON_SES_TOPIC_ARNS, allowed
TopicArns, comma-separated; empty allows any topic).
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")

# The documented string to sign: these keys, in this order, each as "Key\nValue\n".
# "Subject" is signed only when the notification has one (absent or null: not signed).
_CONFIRMATION_KEYS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
SIGNED_KEYS: dict[str, tuple[str, ...]] = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": _CONFIRMATION_KEYS,
    "UnsubscribeConfirmation": _CONFIRMATION_KEYS,
}
_OPTIONAL_KEYS = {"Subject"}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}

FETCH_TIMEOUT_SECONDS = 5.0
CACHE_SECONDS = 3600.0
CACHE_SIZE = 32
MAX_CERTIFICATE_BYTES = 64 * 1024


class SnsVerificationError(Exception):
    """The message is not provably from Amazon SNS: refuse it (HTTP 400)."""


class TopicNotAllowed(SnsVerificationError):
    """A genuine (or unverified) message from a topic not in the allow-list (HTTP 403)."""


class CertificateUnavailable(Exception):
    """The signing certificate could not be fetched now: SNS should retry (HTTP 503)."""


def verification_enabled() -> bool:
    return bool(settings.AMAZON_SNS_VERIFY)


def allowed_topics() -> list[str]:
    return [str(topic).strip() for topic in settings.AMAZON_SES_TOPIC_ARNS if str(topic).strip()]


def check_topic(message: Mapping[str, Any]) -> None:
    """With an allow-list configured, only its topics are taken."""
    topics = allowed_topics()
    if topics and message.get("TopicArn") not in topics:
        raise TopicNotAllowed(f"SNS topic {message.get('TopicArn')!r} is not allowed")


def string_to_sign(message: Mapping[str, Any]) -> bytes:
    """The documented key/value lines for the message's Type."""
    kind = message.get("Type")
    keys = SIGNED_KEYS.get(kind) if isinstance(kind, str) else None
    if keys is None:
        raise SnsVerificationError(f"unknown SNS message type {kind!r}")
    lines: list[str] = []
    for key in keys:
        value = message.get(key)
        if value is None and key in _OPTIONAL_KEYS:
            continue
        if not isinstance(value, str):
            raise SnsVerificationError(f"SNS message has no {key}")
        lines.append(f"{key}\n{value}\n")
    return "".join(lines).encode("utf-8")


def check_certificate_url(url: str) -> None:
    """https, an SNS host of some region, default port, no user info, a .pem path."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise SnsVerificationError("SigningCertURL is not a valid URL") from exc
    if (
        parts.scheme != "https"
        or not SNS_HOST.match(parts.hostname or "")
        or port not in (None, 443)
        or parts.username is not None
        or not parts.path.endswith(".pem")
    ):
        raise SnsVerificationError(f"SigningCertURL {url!r} is not an Amazon SNS certificate")


def fetch_certificate(url: str) -> bytes:
    """The PEM at `url` (the only network access here; TLS is verified, no redirects)."""
    try:
        with httpx.stream(
            "GET", url, timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False
        ) as response:
            if response.status_code != 200:
                if 400 <= response.status_code < 500:
                    raise SnsVerificationError(
                        f"SigningCertURL answered HTTP {response.status_code}"
                    )
                raise CertificateUnavailable(f"SigningCertURL answered {response.status_code}")
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_CERTIFICATE_BYTES:
                    raise SnsVerificationError("SigningCertURL is not a certificate (too large)")
            return data
    except httpx.HTTPError as exc:
        raise CertificateUnavailable(f"cannot fetch SigningCertURL: {exc}") from exc


_cache: dict[str, tuple[float, rsa.RSAPublicKey]] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def signing_key(url: str) -> rsa.RSAPublicKey:
    """The RSA key of the certificate at `url`, from the cache when fetched within the hour."""
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(url)
        if cached is not None and cached[0] > now:
            return cached[1]
    key = _load_key(fetch_certificate(url))
    with _cache_lock:
        for stale in [u for u, (expires, _) in _cache.items() if expires <= now]:
            del _cache[stale]
        while len(_cache) >= CACHE_SIZE:
            del _cache[min(_cache, key=lambda u: _cache[u][0])]
        _cache[url] = (now + CACHE_SECONDS, key)
    return key


def _load_key(pem: bytes) -> rsa.RSAPublicKey:
    try:
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise SnsVerificationError("SigningCertURL is not a PEM certificate") from exc
    now = datetime.now(UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SnsVerificationError("the SNS signing certificate is not valid now")
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SnsVerificationError("the SNS signing certificate has no RSA key")
    return key


def verify(message: Mapping[str, Any]) -> None:
    """Raise unless `message` (the parsed SNS JSON) carries a valid AWS signature."""
    algorithm = _HASHES.get(str(message.get("SignatureVersion", "")))
    if algorithm is None:
        raise SnsVerificationError(
            f"unsupported SNS SignatureVersion {message.get('SignatureVersion')!r}"
        )
    encoded = message.get("Signature")
    if not isinstance(encoded, str) or not encoded:
        raise SnsVerificationError("SNS message has no Signature")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SnsVerificationError("SNS Signature is not base64") from exc
    url = message.get("SigningCertURL")
    check_certificate_url(url if isinstance(url, str) else "")
    data = string_to_sign(message)
    key = signing_key(str(url))
    try:
        key.verify(signature, data, padding.PKCS1v15(), algorithm())
    except InvalidSignature as exc:
        raise SnsVerificationError("SNS message signature does not match") from exc
