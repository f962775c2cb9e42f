"""Sending through an email service provider's HTTP API with django-anymail, per inbox.

Each inbox brings its own API key (credentials `provider_api_key`) and optionally its API base
URL (settings `provider_api_url`, e.g. Mailgun's EU region), so the backend is built per send
with keyword arguments instead of global ANYMAIL settings. Amazon SES needs boto3, which is not
installed: an SES inbox gets a clear, retryable error until it is.

The ESP writes the MIME itself, always in UTF-8: the ISO-2022-JP option applies to SMTP only.
We still hand it our Message-ID, In-Reply-To, References and Reply-To, so threading works the
same; if a provider replaces the Message-ID, the signed reply address still threads answers.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from typing import Any

from anymail.exceptions import (
    AnymailAPIError,
    AnymailConfigurationError,
    AnymailError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailUnsupportedFeature,
)
from django.core.mail import EmailMultiAlternatives

from madoguchi.inboxes.messages import OutboundMessage

from ..base import DeliveryError, PermanentDeliveryError, RetryableDeliveryError, SendResult
from .composing import Draft

logger = logging.getLogger(__name__)

# sending setting → (anymail backend module, keyword that carries the inbox's API key)
PROVIDERS: dict[str, tuple[str, str]] = {
    "mailgun": ("anymail.backends.mailgun", "api_key"),
    "sendgrid": ("anymail.backends.sendgrid", "api_key"),
    "postmark": ("anymail.backends.postmark", "server_token"),
    "amazon_ses": ("anymail.backends.amazon_ses", ""),
}
# HTTP answers about our account or our pace, not about this message: worth retrying.
RETRYABLE_STATUS = {401, 403, 408, 409, 425, 429}
TIMEOUT_SECONDS = 30


def backend_for(sending: str, outbound: OutboundMessage) -> Any:
    """An anymail EmailBackend configured from the inbox alone (no global settings)."""
    if sending not in PROVIDERS:
        raise RetryableDeliveryError(f"unknown sending method: {sending}")
    module_name, key_name = PROVIDERS[sending]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # amazon_ses: boto3
        raise RetryableDeliveryError(f"{sending} cannot be used here: {exc}") from exc
    api_key = str(outbound.credentials.get("provider_api_key") or "")
    if key_name and not api_key:
        raise RetryableDeliveryError(f"{sending}: the inbox has no provider API key")
    kwargs: dict[str, Any] = {"timeout": TIMEOUT_SECONDS}
    if key_name:
        kwargs[key_name] = api_key
    api_url = str(outbound.settings.get("provider_api_url") or "").strip()
    if api_url:
        kwargs["api_url"] = api_url
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SendGrid: "no longer officially supported"
        return module.EmailBackend(**kwargs)


def _mailbox(name: str, address: str) -> str:
    if not name:
        return address
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def django_message(draft: Draft) -> EmailMultiAlternatives:
    headers = {"Message-ID": draft.message_id, **draft.extra_headers}
    if draft.in_reply_to:
        headers["In-Reply-To"] = draft.in_reply_to
        headers["References"] = " ".join(draft.references)
    message = EmailMultiAlternatives(
        subject=draft.subject,
        body=draft.text,
        from_email=_mailbox(*draft.sender),
        to=[_mailbox(*draft.to)],
        cc=list(draft.cc),
        bcc=list(draft.bcc),
        reply_to=[draft.reply_to],
        headers=headers,
    )
    if draft.html:
        message.attach_alternative(draft.html, "text/html")
    for att in draft.attachments:
        message.attach(att.filename, att.data, att.content_type or "application/octet-stream")
    return message


def send_with_provider(sending: str, draft: Draft, outbound: OutboundMessage) -> SendResult:
    backend = backend_for(sending, outbound)
    message = django_message(draft)
    message.connection = backend
    try:
        message.send()
    except Exception as exc:
        raise delivery_error(sending, exc) from exc
    status = getattr(message, "anymail_status", None)
    refused = {
        address: str(getattr(one, "status", ""))
        for address, one in (getattr(status, "recipients", None) or {}).items()
        if getattr(one, "status", "") in ("rejected", "invalid")
    }
    # As with SMTP: a refused customer is an error, a refused Cc/Bcc is only logged.
    if draft.to[1].lower() in {a.lower() for a in refused}:
        raise PermanentDeliveryError(f"{sending}: recipient refused: {refused}")
    if refused:
        logger.warning(
            "outbox %s: %s refused some copies: %s", outbound.outbox_id, sending, refused
        )
    logger.info(
        "outbox %s sent via %s: provider id %s",
        outbound.outbox_id,
        sending,
        getattr(status, "message_id", None),
    )
    # Our Message-ID is what the customer's client answers to and what References list.
    return SendResult(provider_message_id=draft.message_id)


def delivery_error(sending: str, exc: Exception) -> DeliveryError:
    """anymail's errors sorted the outbox's way: this message is bad, or try again later."""
    text = f"{sending}: {exc}"[:2000]
    if isinstance(
        exc, AnymailRecipientsRefused | AnymailInvalidAddress | AnymailUnsupportedFeature
    ):
        return PermanentDeliveryError(text)
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        if status is not None and 400 <= status < 500 and status not in RETRYABLE_STATUS:
            return PermanentDeliveryError(text)
        return RetryableDeliveryError(text)  # 5xx, rate limits, network errors
    if isinstance(exc, AnymailConfigurationError | AnymailError):
        return RetryableDeliveryError(text)
    return RetryableDeliveryError(f"{sending}: {type(exc).__name__}: {exc}")
