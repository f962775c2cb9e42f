"""A stand-in for Amazon SNS's signing: an RSA key, its self-signed certificate, real signatures.

Messages are signed exactly as AWS documents (the key/value lines of `sns.SIGNED_KEYS`, RSA
PKCS#1 v1.5 with SHA1 or SHA256); only the certificate download is replaced, by patching
`sns.fetch_certificate` (the HTTP boundary) to return `FakeSNS.pem` for `FakeSNS.cert_url`.
"""

from __future__ import annotations

import base64
import functools
import json
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:madoguchi-inbound"
CERT_URL = (
    "https://sns.ap-northeast-1.amazonaws.com/"
    "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"
)


@functools.cache
def rsa_key(name: str = "aws") -> rsa.RSAPrivateKey:
    """One 2048-bit key per name for the whole test run (generation is the slow part)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate_pem(key: rsa.RSAPrivateKey, *, days: int = 30, start_days: int = -1) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=start_days))
        .not_valid_after(now + timedelta(days=start_days + days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def signed_text(message: dict[str, object]) -> bytes:
    """AWS's string to sign, written out independently of the code under test."""
    if message["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{k}\n{message[k]}\n" for k in keys if k in message).encode()


class FakeSNS:
    """Signs SNS messages with `key` and serves its certificate at `cert_url`."""

    def __init__(self, key: rsa.RSAPrivateKey | None = None, cert_url: str = CERT_URL) -> None:
        self.key = key or rsa_key()
        self.cert_url = cert_url
        self.pem = certificate_pem(self.key)
        self.fetched: list[str] = []

    def fetch(self, url: str) -> bytes:
        """Replaces `sns.fetch_certificate`: AWS's server for this one certificate."""
        from madoguchi.connectors.email.sns import SnsVerificationError

        self.fetched.append(url)
        if url != self.cert_url:
            raise SnsVerificationError("SigningCertURL answered HTTP 404")
        return self.pem

    def sign(
        self,
        message: dict[str, object],
        version: str = "1",
        key: rsa.RSAPrivateKey | None = None,
    ) -> dict[str, object]:
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = (key or self.key).sign(signed_text(message), padding.PKCS1v15(), algorithm)
        return {
            **message,
            "SignatureVersion": version,
            "Signature": base64.b64encode(signature).decode("ascii"),
            "SigningCertURL": message.get("SigningCertURL", self.cert_url),
        }


def notification(
    ses_event: dict[str, object] | str, topic: str = TOPIC, **extra: object
) -> dict[str, object]:
    """An unsigned SNS Notification as SNS posts it (Message is the SES event as JSON)."""
    return {
        "Type": "Notification",
        "MessageId": "8f2b1c3e-1111-5d2a-9c3b-0123456789ab",
        "TopicArn": topic,
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": ses_event if isinstance(ses_event, str) else json.dumps(ses_event),
        "Timestamp": "2026-12-01T01:00:00.000Z",
        "UnsubscribeURL": (
            "https://sns.ap-northeast-1.amazonaws.com/?Action=Unsubscribe"
            f"&SubscriptionArn={topic}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"
        ),
        **extra,
    }


def subscription_confirmation(topic: str = TOPIC) -> dict[str, object]:
    token = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3"
    return {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": token,
        "TopicArn": topic,
        "Message": (
            f"You have chosen to subscribe to the topic {topic}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        ),
        "SubscribeURL": (
            "https://sns.ap-northeast-1.amazonaws.com/?Action=ConfirmSubscription"
            f"&TopicArn={topic}&Token={token}"
        ),
        "Timestamp": "2026-12-01T00:59:00.000Z",
    }


def headers(body: dict[str, object]) -> dict[str, str]:
    """The x-amz-sns-* headers SNS sends along."""
    return {
        "x-amz-sns-message-type": str(body["Type"]),
        "x-amz-sns-message-id": str(body["MessageId"]),
        "x-amz-sns-topic-arn": str(body["TopicArn"]),
    }
