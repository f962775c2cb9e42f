"""SMTP delivery of replies: retryable vs permanent failures, stable Message-IDs."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, format_datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from madoguchi.inboxes.messages import OutboundMessage

from ..base import PermanentDeliveryError, RetryableDeliveryError, SendResult


def message_id_for(outbound: OutboundMessage) -> str:
    """Derived from the outbox idempotency key, so a repeat send carries the same Message-ID."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "madoguchi.localhost"
    return f"<{outbound.idempotency_key}.{outbound.ticket_number}@{domain}>"


def build_email(outbound: OutboundMessage) -> EmailMessage:
    mail = EmailMessage()
    from_address = outbound.inbox_address if "@" in outbound.inbox_address else settings.DEFAULT_FROM_EMAIL
    mail["From"] = formataddr((outbound.inbox_name, from_address))
    mail["To"] = formataddr((outbound.to_name, outbound.to)) if outbound.to_name else outbound.to
    subject = outbound.subject or ""
    tag = f"[#{outbound.ticket_number}]"
    mail["Subject"] = subject if tag in subject else f"{subject} {tag}".strip()
    mail["Message-ID"] = message_id_for(outbound)
    mail["Date"] = format_datetime(timezone.now())
    if outbound.in_reply_to.startswith("<"):
        mail["In-Reply-To"] = outbound.in_reply_to
        mail["References"] = outbound.in_reply_to
    mail["X-Madoguchi-Ticket"] = str(outbound.ticket_number)
    mail.set_content(outbound.body_text)
    if outbound.body_html:
        mail.add_alternative(outbound.body_html, subtype="html")
    for att in outbound.attachments:
        with default_storage.open(att.path, "rb") as fh:
            data = fh.read()
        maintype, _, subtype = (att.content_type or "application/octet-stream").partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=att.filename)
    return mail


def send_email(outbound: OutboundMessage) -> SendResult:
    if not outbound.to:
        raise PermanentDeliveryError("no recipient address")
    try:
        Address(addr_spec=outbound.to)
    except (ValueError, IndexError) as exc:
        raise PermanentDeliveryError(f"invalid recipient address: {outbound.to}") from exc
    mail = build_email(outbound)
    smtp_cls = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
    try:
        with smtp_cls(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT) as smtp:
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            refused = smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        raise _classified(f"recipient refused: {codes}", codes) from exc
    except smtplib.SMTPResponseException as exc:
        raise _classified(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", [exc.smtp_code]) from exc
    except smtplib.SMTPAuthenticationError as exc:  # pragma: no cover - subclass of the above
        raise RetryableDeliveryError(f"SMTP authentication failed ({exc.smtp_code})") from exc
    except (OSError, smtplib.SMTPException, socket.timeout) as exc:
        raise RetryableDeliveryError(f"SMTP server unreachable: {exc}") from exc
    if refused:
        raise PermanentDeliveryError(f"recipient refused: {refused}")
    return SendResult(provider_message_id=mail["Message-ID"])


def _classified(text: str, codes: list[int]) -> RetryableDeliveryError | PermanentDeliveryError:
    """5xx is permanent (bad address, policy), 4xx is a temporary refusal worth retrying."""
    if codes and all(500 <= c < 600 for c in codes):
        return PermanentDeliveryError(text)
    return RetryableDeliveryError(text)
