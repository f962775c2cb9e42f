"""Validating a contact-form post, keeping spam out, and turning it into an InboundMessage."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from madoguchi.inboxes.messages import InboundAttachment, InboundMessage, SenderHandle
from madoguchi.inboxes.models import FormSubmission, Inbox
from madoguchi.lib.handles import InvalidHandle, normalise_phone

CATEGORIES = [
    ("order", _("Order and delivery")),
    ("return", _("Returns and exchanges")),
    ("product", _("Product questions")),
    ("payment", _("Payment")),
    ("account", _("Account and login")),
    ("other", _("Other")),
]
MAX_FORM_FILE_BYTES = 10 * 1024 * 1024
FORM_FILE_TYPES = {"image/png", "image/jpeg", "image/gif", "application/pdf"}


class ContactForm(forms.Form):
    # Customer-facing labels carry a context so Japanese can say お名前 / お問い合わせ内容
    # here while the console keeps its plain 名前 / メッセージ.
    name = forms.CharField(label=pgettext_lazy("contact form", "Your name"), max_length=100)
    name_kana = forms.CharField(label=_("Furigana"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    order_number = forms.CharField(label=_("Order number"), max_length=40, required=False)
    category = forms.ChoiceField(
        label=_("Topic"),
        choices=[("", pgettext_lazy("contact form", "Please choose")), *CATEGORIES],
    )
    subject = forms.CharField(label=_("Subject"), max_length=120)
    body = forms.CharField(
        label=pgettext_lazy("contact form", "Your message"),
        widget=forms.Textarea,
        max_length=10_000,
    )
    attachment = forms.FileField(label=_("Attachment (image or PDF)"), required=False)
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label="")
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if not value:
            return ""
        try:
            normalise_phone(value, settings.PHONE_DEFAULT_REGION)
        except InvalidHandle as exc:
            raise ValidationError(_("Enter a valid phone number.")) from exc
        return value

    def clean_attachment(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data.get("attachment")
        if upload is None:
            return None
        if upload.size > MAX_FORM_FILE_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        if (upload.content_type or "") not in FORM_FILE_TYPES:
            raise ValidationError(_("Attach an image (PNG, JPEG, GIF) or a PDF."))
        return upload

    def clean_token(self) -> str:
        value = self.cleaned_data["token"]
        try:
            uuid.UUID(value)
        except ValueError as exc:
            raise ValidationError(_("The form expired. Please reload the page.")) from exc
        return value


def new_token() -> str:
    return str(uuid.uuid4())


def is_bot(form: ContactForm) -> bool:
    return bool(form.data.get("website"))


def rate_limited(inbox: Inbox, client: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = FormSubmission.objects.filter(
        inbox=inbox, client=client, created_at__gte=since
    ).count()
    return recent >= settings.FORM_RATE_LIMIT_PER_HOUR


def note_submission(inbox: Inbox, client: str) -> None:
    FormSubmission.objects.create(inbox=inbox, client=client[:64])


def parse(inbox: Inbox, data: dict, client: str) -> InboundMessage:
    handles = [SenderHandle("email", data["email"], data["email"])]
    extra = [SenderHandle("phone", data["phone"], data["phone"])] if data.get("phone") else []
    category = dict(CATEGORIES).get(data["category"], data["category"])
    lines = [data["body"]]
    if data.get("order_number"):
        lines.append("")
        lines.append(f"{_('Order number')}: {data['order_number']}")
    attachments = []
    upload = data.get("attachment")
    if upload is not None:
        attachments.append(InboundAttachment(upload.name, upload.content_type or "", upload.read()))
    return InboundMessage(
        inbox_id=inbox.pk,
        external_id=f"form-{data['token']}",
        sender=handles[0],
        extra_handles=extra,
        sender_name=data["name"],
        sender_name_kana=data.get("name_kana", ""),
        subject=data["subject"],
        body_text="\n".join(lines),
        attachments=attachments,
        tags=[f"form:{data['category']}"],
        meta={
            "form": {
                "category": data["category"],
                "category_label": str(category),
                "order_number": data.get("order_number", ""),
                "client": client,
            }
        },
    )
