"""Provider inbound webhooks (django-anymail): Mailgun, SendGrid, Postmark, Amazon SES.

Mounted under /hooks/email/ (madoguchi/urls.py): `<provider>/inbound/` as in anymail's own
URLconf. anymail checks each request (Mailgun: HMAC signature with the webhook signing key;
all: HTTP basic auth with ANYMAIL["WEBHOOK_SECRET"]; SES: SNS headers match the body); for
SES we then verify the Amazon SNS message signature and topic allow-list (`sns`) before
anymail parses the message or confirms a subscription. anymail then
sends the `anymail.signals.inbound` signal, which `deliver_inbound` receives: the mail is
mapped to our inbox by envelope recipient (else To / Cc), stored with `store_raw` before the
provider gets its 200, then processed. A provider that only has basic auth (SendGrid,
Postmark, SES) is refused while no secret is configured: anymail would accept anyone.

Raw MIME is kept byte-exact where the provider sends it as bytes (SES content in BASE64,
SendGrid "Send Raw" read from the request body); text fields (Mailgun body-mime, Postmark
RawEmail) are stored as their UTF-8 encoding; parsed-only payloads are re-serialised.
"""

from __future__ import annotations

import base64
import logging
import warnings
from email import message_from_bytes
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import httpx
from anymail.exceptions import AnymailImproperlyInstalled, AnymailWebhookValidationFailure
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, inbound
from anymail.webhooks.amazon_ses import AmazonSESBaseWebhookView, AmazonSESInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import path, re_path
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt

from madoguchi.connectors.email import inbound as mail_inbound
from madoguchi.connectors.email import sns
from madoguchi.connectors.email.listener import inbox_for_recipient
from madoguchi.core.errors import DomainError

logger = logging.getLogger(__name__)
# anymail warns on every SendGrid request that it no longer tests SendGrid; the inbound
# parsing we rely on is unchanged and covered by our tests.
warnings.filterwarnings(
    "ignore", message="django-anymail has dropped official support for SendGrid"
)
ESP_KEYS = {"Mailgun": "mailgun", "SendGrid": "sendgrid", "Postmark": "postmark"}


def _body_limit() -> int:
    """A whole mail, base64-encoded inside JSON or a form, plus the provider's fields."""
    return settings.MAIL_MAX_BYTES * 4 // 3 + 1024 * 1024


class _ProviderView:
    """Refuses when the provider's check is not configured; reads large bodies itself.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2 MB, right for forms) would refuse an ordinary
    mail with a photo; the body is read here up to the mail size limit instead.
    """

    basic_auth: list[str]

    def configured(self) -> bool:
        return bool(self.basic_auth)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            if not self.configured():
                logger.warning("inbound webhook %s refused: not configured", request.path)
                return HttpResponse("webhook not configured", status=403)
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > _body_limit():
                return HttpResponse("message too large", status=413)
            # Django caches the body in `_body`; reading it here skips the form-size check.
            request._body = request.read()  # type: ignore[attr-defined]
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and _form_parts(request):
                # Django's form parser would refuse the raw-MIME field; ours is unlimited.
                request._post, request._files = _form_data(request)  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class MailgunInbound(_ProviderView, MailgunInboundWebhookView):
    def configured(self) -> bool:
        return bool(self.webhook_signing_key)


class SendGridInbound(_ProviderView, SendGridInboundWebhookView):
    pass


class PostmarkInbound(_ProviderView, PostmarkInboundWebhookView):
    pass


class AmazonSESInbound(_ProviderView, AmazonSESInboundWebhookView):
    """Mail in the SNS notification (receipt action "SNS"). S3 actions need boto3."""

    _warned_unverified = False

    def __init__(self, **kwargs: Any) -> None:
        try:
            super().__init__(**kwargs)
        except AnymailImproperlyInstalled:
            # boto3 is not installed: only S3 downloads need it. Finish the set-up anymail
            # would have done after its boto3 parameters (basic auth, validators).
            self.session_params: dict[str, Any] = {}
            self.client_params: dict[str, Any] = {}
            super(AmazonSESBaseWebhookView, self).__init__(**kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)  # type: ignore[no-any-return]
        except sns.TopicNotAllowed as exc:
            logger.warning("Amazon SES inbound refused: %s", exc)
            return HttpResponse("SNS topic not allowed", status=403)
        except sns.SnsVerificationError as exc:
            logger.warning("Amazon SES inbound refused: %s", exc)
            return HttpResponse("invalid SNS message signature", status=400)
        except sns.CertificateUnavailable as exc:
            # Not the sender's fault: a 5xx makes SNS deliver the message again later.
            logger.error("Amazon SES inbound not verified: %s", exc)
            return HttpResponse("SNS signing certificate unavailable", status=503)

    def run_validators(self, request: HttpRequest) -> None:
        """anymail's checks (basic auth, SNS headers), then topic and SNS signature."""
        super().run_validators(request)
        message = self._parse_sns_message(request)
        sns.check_topic(message)
        if sns.verification_enabled():
            sns.verify(message)
        elif not AmazonSESInbound._warned_unverified:
            AmazonSESInbound._warned_unverified = True
            logger.warning("Amazon SNS signatures are not verified (AMAZON_SNS_VERIFY is off)")

    def auto_confirm_sns_subscription(self, sns_message: dict[str, Any]) -> None:
        """Confirm by opening SubscribeURL (AWS's documented way for HTTPS endpoints)."""
        if not self.auto_confirm_enabled:
            return
        url = str(sns_message.get("SubscribeURL") or "")
        parts = urlsplit(url)
        if parts.scheme != "https" or not sns.SNS_HOST.match(parts.hostname or ""):
            raise AnymailWebhookValidationFailure("SNS SubscribeURL is not an AWS SNS address")
        confirm_sns_subscription(url)
        logger.info("confirmed SNS subscription %s", sns_message.get("TopicArn"))


def confirm_sns_subscription(url: str) -> None:
    response = httpx.get(url, timeout=10.0, follow_redirects=False)
    response.raise_for_status()


def _form_parts(request: HttpRequest) -> list[Message]:
    """The parts of a multipart/form-data body, parsed once per request (stdlib parser)."""
    cached = getattr(request, "_madoguchi_form_parts", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    body = getattr(request, "_body", None)
    content_type = request.META.get("CONTENT_TYPE", "")
    parts: list[Message] = []
    if body and content_type.startswith("multipart/form-data"):
        form = message_from_bytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        if form.is_multipart():
            parts = [p for p in form.get_payload() if isinstance(p, Message)]
    request._madoguchi_form_parts = parts  # type: ignore[attr-defined]
    return parts


def _header_text(value: str) -> str:
    """Form-data headers carry raw UTF-8 (RFC 7578); the stdlib hands it back escaped."""
    return value.encode("ascii", "surrogateescape").decode("utf-8", "replace")


def _form_data(request: HttpRequest) -> tuple[QueryDict, MultiValueDict[str, Any]]:
    """request.POST and request.FILES from `_form_parts`, for bodies above Django's limit."""
    post, files = QueryDict(mutable=True), MultiValueDict[str, Any]()
    for part in _form_parts(request):
        name = _header_text(str(part.get_param("name", "", header="content-disposition")))
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        filename = part.get_param("filename", None, header="content-disposition")
        if filename is not None:
            upload = SimpleUploadedFile(_header_text(str(filename)), data, part.get_content_type())
            files.appendlist(name, upload)
        else:
            post.appendlist(name, data.decode(part.get_content_charset() or "utf-8", "replace"))
    post._mutable = False
    return post, files


def _form_field_bytes(request: HttpRequest, name: str) -> bytes | None:
    """One multipart form field exactly as sent (Django decodes fields as text)."""
    for part in _form_parts(request):
        if part.get_param("name", header="content-disposition") == name:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def raw_mime(event: AnymailInboundEvent) -> bytes:
    """The mail's bytes as close to what the provider received as its payload allows."""
    esp = event.esp_event
    if isinstance(esp, HttpRequest):
        for field in ("body-mime", "email"):  # Mailgun raw MIME, SendGrid "Send Raw"
            if field in esp.POST:
                exact = _form_field_bytes(esp, field)
                return exact if exact is not None else esp.POST[field].encode("utf-8")
    elif isinstance(esp, dict):
        if isinstance(esp.get("RawEmail"), str):  # Postmark with raw content included
            return esp["RawEmail"].encode("utf-8")
        content = esp.get("content")
        if isinstance(content, str) and content:  # Amazon SES, SNS action
            action = (esp.get("receipt") or {}).get("action") or {}
            if action.get("encoding") == "BASE64":
                return base64.b64decode(content.encode("ascii"))
            return content.encode("utf-8")
    message: AnymailInboundMessage = event.message
    return message.as_bytes()


def _candidates(message: AnymailInboundMessage) -> list[str]:
    found = [message.envelope_recipient] if message.envelope_recipient else []
    for header in ("To", "Cc", "Delivered-To", "X-Original-To"):
        found += [a.addr_spec for a in message.get_address_header(header)]
    return [a for a in found if a]


@receiver(inbound, dispatch_uid="madoguchi.connectors.email.webhooks")
def deliver_inbound(sender: Any, event: AnymailInboundEvent, esp_name: str, **kwargs: Any) -> None:
    """Store, then process; a database error propagates (500) so the provider retries."""
    esp = ESP_KEYS.get(esp_name, esp_name.lower().replace(" ", "_"))
    message: AnymailInboundMessage = event.message
    inbox_id = next(
        (i for i in (inbox_for_recipient(a) for a in _candidates(message)) if i is not None),
        None,
    )
    if inbox_id is None:
        # 200 anyway: the provider would otherwise retry a mail no inbox wants, for days.
        logger.warning(
            "%s inbound mail for %s ignored: no active email inbox has that address",
            esp_name,
            ", ".join(_candidates(message)) or "no recipient",
        )
        return
    raw = raw_mime(event)
    try:
        raw_mail = mail_inbound.store_raw(
            inbox_id, raw, source="webhook", source_ref=f"{esp}:{event.event_id or ''}"
        )
    except DomainError as exc:
        # Too large or empty: retrying cannot help, so the provider gets its 200.
        logger.error("%s inbound mail for inbox %s refused: %s", esp_name, inbox_id, exc)
        return
    mail_inbound.process_raw(raw_mail.pk)


# Providers post without a CSRF token; their own checks above stand in for it.
urlpatterns = [
    # "inbound_mime" makes Mailgun post the raw MIME (body-mime) instead of parsed fields.
    re_path(
        r"^mailgun/inbound(_mime)?/$",
        csrf_exempt(MailgunInbound.as_view()),
        name="email_mailgun_inbound",
    ),
    path(
        "sendgrid/inbound/",
        csrf_exempt(SendGridInbound.as_view()),
        name="email_sendgrid_inbound",
    ),
    path(
        "postmark/inbound/",
        csrf_exempt(PostmarkInbound.as_view()),
        name="email_postmark_inbound",
    ),
    path(
        "amazon_ses/inbound/",
        csrf_exempt(AmazonSESInbound.as_view()),
        name="email_amazon_ses_inbound",
    ),
]
