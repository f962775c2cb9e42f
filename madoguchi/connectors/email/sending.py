"""SMTP delivery of replies: retryable vs permanent failures, stable Message-IDs."""

from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.utils import timezone

from madoguchi.inboxes.messages import OutboundMessage

from ..base import PermanentDeliveryError, RetryableDeliveryError, SendResult


def _header_text(value: str) -> str:
    """One line: CR/LF in a subject or name must never become a header break."""
    return " ".join((value or "").split())


def _sender_address(outbound: OutboundMessage) -> str:
    if "@" in outbound.inbox_address:
        return outbound.inbox_address.strip()
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "support@madoguchi.localhost"


def message_id_for(outbound: OutboundMessage) -> str:
    """Derived from the outbox idempotency key, so a repeat send carries the same Message-ID."""
    domain = _sender_address(outbound).rsplit("@", 1)[-1] or "madoguchi.localhost"
    return f"<{outbound.idempotency_key}.{outbound.ticket_number}@{domain}>"


def _message_ids(values: tuple[str, ...] | list[str]) -> list[str]:
    return [v for v in values if v.startswith("<") and v.endswith(">") and "@" in v]


def build_email(outbound: OutboundMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = Address(
        display_name=_header_text(outbound.inbox_name), addr_spec=_sender_address(outbound)
    )
    mail["To"] = Address(display_name=_header_text(outbound.to_name), addr_spec=outbound.to)
    if outbound.cc:
        # smtplib's send_message delivers to To and Cc alike.
        mail["Cc"] = [Address(addr_spec=address) for address in outbound.cc]
    subject = _header_text(outbound.subject)
    tag = f"[#{outbound.ticket_number}]"
    mail["Subject"] = subject if tag in subject else f"{subject} {tag}".strip()
    mail["Message-ID"] = message_id_for(outbound)
    mail["Date"] = format_datetime(timezone.localtime())
    # Thread onto the last mail of the conversation; other channels' ids are not Message-IDs.
    thread = _message_ids([*outbound.references, outbound.in_reply_to])
    thread = list(dict.fromkeys(thread))
    if thread:
        last = outbound.in_reply_to if outbound.in_reply_to in thread else thread[-1]
        mail["In-Reply-To"] = last
        mail["References"] = " ".join(thread)
    mail["X-Madoguchi-Ticket"] = str(outbound.ticket_number)
    mail["Auto-Submitted"] = "no"
    mail.set_content(outbound.body_text)
    if outbound.body_html:
        mail.add_alternative(outbound.body_html, subtype="html")
    for att in outbound.attachments:
        try:
            with default_storage.open(att.path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError as exc:
            raise PermanentDeliveryError(f"attachment missing from storage: {att.path}") from exc
        maintype, _, subtype = (att.content_type or "application/octet-stream").partition("/")
        mail.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=att.filename
        )
    return mail


def send_email(outbound: OutboundMessage) -> SendResult:
    if not outbound.to:
        raise PermanentDeliveryError("no recipient address")
    for address in (outbound.to, *outbound.cc):
        try:
            validate_email(address)
            Address(addr_spec=address)
        except (ValidationError, ValueError, IndexError) as exc:
            raise PermanentDeliveryError(f"invalid recipient address: {address}") from exc
    mail = build_email(outbound)
    smtp_cls = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
    try:
        with smtp_cls(
            settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT
        ) as smtp:
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            refused = smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        details = {rcpt: (code, _text(msg)) for rcpt, (code, msg) in exc.recipients.items()}
        codes = [code for code, _msg in details.values()]
        raise _classified(f"recipient refused: {details}", codes) from exc
    except smtplib.SMTPAuthenticationError as exc:
        # Our credentials, not this message: retry, so fixing the settings is enough.
        raise RetryableDeliveryError(f"SMTP authentication failed ({exc.smtp_code})") from exc
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}"
        raise _classified(text, [exc.smtp_code]) from exc
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        raise RetryableDeliveryError(f"SMTP server unreachable: {exc}") from exc
    if refused:
        raise PermanentDeliveryError(f"recipient refused: {refused}")
    return SendResult(provider_message_id=mail["Message-ID"])


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _classified(text: str, codes: list[int]) -> RetryableDeliveryError | PermanentDeliveryError:
    """5xx is permanent (bad address, policy), 4xx is a temporary refusal worth retrying."""
    if codes and all(500 <= c < 600 for c in codes):
        return PermanentDeliveryError(text)
    return RetryableDeliveryError(text)
