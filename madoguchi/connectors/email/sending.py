"""Delivering a reply: the inbox's SMTP server (or the global one), or its ESP through anymail.

Failures are sorted for the outbox: a 4xx reply, a server that is down or refuses our login is
retried with backoff; a 5xx refusal of the recipient is permanent and shows on the message.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from madoguchi.inboxes.messages import OutboundMessage

from ..base import PermanentDeliveryError, RetryableDeliveryError, SendResult
from .composing import build_email, draft_for, sender_address

logger = logging.getLogger(__name__)
SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str = ""
    password: str = ""
    timeout: float = 30


def smtp_config(inbox_settings: dict[str, Any], credentials: dict[str, Any]) -> SmtpConfig:
    """The inbox's own server when it has one, else the global MADOGUCHI_SMTP_* settings."""
    host = str(inbox_settings.get("smtp_host") or "").strip()
    if not host:
        security = "ssl" if settings.EMAIL_USE_SSL else "starttls" if settings.EMAIL_USE_TLS else ""
        return SmtpConfig(
            host=settings.EMAIL_HOST,
            port=int(settings.EMAIL_PORT),
            security=security or "none",
            username=settings.EMAIL_HOST_USER or "",
            password=settings.EMAIL_HOST_PASSWORD or "",
            timeout=settings.EMAIL_TIMEOUT or 30,
        )
    security = str(inbox_settings.get("smtp_security") or "").strip().lower()
    try:
        port = int(str(inbox_settings.get("smtp_port") or "").strip() or 0)
    except ValueError as exc:
        raise RetryableDeliveryError(f"invalid SMTP port: {inbox_settings['smtp_port']}") from exc
    if security not in SECURITY:
        security = "ssl" if port == 465 else "starttls"
    port = port or {"ssl": 465, "starttls": 587}.get(security, 25)
    return SmtpConfig(
        host=host,
        port=port,
        security=security,
        username=str(inbox_settings.get("smtp_username") or "").strip(),
        password=str(credentials.get("smtp_password") or ""),
        timeout=settings.EMAIL_TIMEOUT or 30,
    )


def open_smtp(config: SmtpConfig) -> smtplib.SMTP:
    """A connected, secured and logged-in session (also what a connection test calls).

    Certificates are verified (system CAs, or SSL_CERT_FILE); a failed login raises
    smtplib.SMTPAuthenticationError, a server that is down OSError.
    """
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.security == "ssl":
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        if config.security == "starttls":
            smtp.starttls(context=context)
        if config.username:
            _login(smtp, config.username, config.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib encodes credentials as ASCII; a Japanese password goes as UTF-8 AUTH PLAIN
    (RFC 4616), which is what servers that accept such passwords expect."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError("no AUTH PLAIN offered for a non-ASCII password")
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def check_recipients(outbound: OutboundMessage) -> None:
    if not outbound.to:
        raise PermanentDeliveryError("no recipient address")
    for address in (outbound.to, *outbound.cc, *outbound.bcc):
        try:
            validate_email(address)
            Address(addr_spec=address)
        except (ValidationError, ValueError, IndexError) as exc:
            raise PermanentDeliveryError(f"invalid recipient address: {address}") from exc


def send_email(outbound: OutboundMessage) -> SendResult:
    check_recipients(outbound)
    sending = str(outbound.settings.get("sending") or "smtp").strip().lower()
    if sending != "smtp":
        from .providers import send_with_provider

        return send_with_provider(sending, draft_for(outbound), outbound)
    mail = build_email(outbound)
    config = smtp_config(outbound.settings, outbound.credentials)
    send_smtp(config, mail, sender_address(outbound), envelope_recipients(outbound))
    return SendResult(provider_message_id=str(mail["Message-ID"]))


def envelope_recipients(outbound: OutboundMessage) -> list[str]:
    """The SMTP envelope: To, Cc and Bcc once each (Bcc never appears in the headers)."""
    seen: dict[str, str] = {}
    for address in (outbound.to, *outbound.cc, *outbound.bcc):
        seen.setdefault(address.strip().lower(), address.strip())
    return list(seen.values())


def send_smtp(config: SmtpConfig, mail: EmailMessage, sender: str, recipients: list[str]) -> None:
    """Send, or raise Retryable/PermanentDeliveryError.

    Some recipients refused, others accepted: the mail went out, and sending it again would
    reach the accepted ones twice. A refused Cc/Bcc is logged and the mail counts as sent; a
    refused To is an error (by its code) that names who did get it.
    """
    try:
        with open_smtp(config) as smtp:
            refused = smtp.send_message(mail, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        details = {rcpt: (code, _text(msg)) for rcpt, (code, msg) in exc.recipients.items()}
        raise _classified(f"recipient refused: {_describe(details)}", details) from exc
    except smtplib.SMTPAuthenticationError as exc:
        # Our credentials, not this message: retry, so fixing the settings is enough.
        raise RetryableDeliveryError(
            f"SMTP authentication failed ({exc.smtp_code}): {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}"
        raise _classified(text, {"": (exc.smtp_code, "")}) from exc
    except smtplib.SMTPNotSupportedError as exc:  # no AUTH, no STARTTLS: the settings
        raise RetryableDeliveryError(f"SMTP server cannot do this: {exc}") from exc
    except ssl.SSLError as exc:
        raise RetryableDeliveryError(f"SMTP TLS failed: {exc}") from exc
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        raise RetryableDeliveryError(f"SMTP server unreachable: {exc}") from exc
    if not refused:
        return
    details = {rcpt: (code, _text(msg)) for rcpt, (code, msg) in refused.items()}
    primary = recipients[0]
    delivered = [r for r in recipients if r not in refused]
    if primary in refused:
        raise _classified(
            f"recipient refused: {_describe(details)}; delivered to {', '.join(delivered)}",
            {primary: details[primary]},
        )
    logger.warning("mail %s: some copies refused: %s", mail["Message-ID"], _describe(details))


def _describe(details: dict[str, tuple[int, str]]) -> str:
    return "; ".join(f"{rcpt} {code} {text}".strip() for rcpt, (code, text) in details.items())


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _classified(
    text: str, details: dict[str, tuple[int, str]]
) -> RetryableDeliveryError | PermanentDeliveryError:
    """5xx is permanent (bad address, policy), 4xx is a temporary refusal worth retrying."""
    codes = [code for code, _msg in details.values()]
    if codes and all(500 <= c < 600 for c in codes):
        return PermanentDeliveryError(text)
    return RetryableDeliveryError(text)
