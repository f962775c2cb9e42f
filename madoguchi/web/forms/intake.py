"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.connectors.fax import ACCEPTED_TYPES as FAX_TYPES
from madoguchi.inboxes.models import Inbox

from .common import TicketNumberField, valid_phone

# Leading bytes of the file types a FAX scan may have; the browser's content type is a claim.
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}


class _IntakeForm(forms.Form):
    """Shared by the phone and FAX screens: which inbox, and an optional known customer/ticket."""

    inbox = forms.ModelChoiceField(label=_("Inbox"), queryset=Inbox.objects.none())
    customer_id = forms.IntegerField(label=_("Existing customer ID"), required=False, min_value=1)
    ticket_number = TicketNumberField(label=_("Add to ticket number"), required=False)

    def __init__(self, *args: Any, inboxes: QuerySet[Inbox], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["inbox"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = inboxes
        choices = list(inboxes[:2])
        if len(choices) == 1:
            field.initial = choices[0]


class CallForm(_IntakeForm):
    DIRECTIONS = [("in", _("Incoming (the customer called)")), ("out", _("Outgoing (we called)"))]

    number = forms.CharField(label=_("Phone number"), max_length=30)
    # Sent back with the post: the same form submitted twice logs one call.
    token = forms.UUIDField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=DIRECTIONS, initial="in", widget=forms.RadioSelect
    )
    caller_name = forms.CharField(label=_("Caller name"), max_length=100, required=False)
    summary = forms.CharField(
        label=_("Call summary"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    follow_up = forms.BooleanField(label=_("Follow-up needed"), required=False)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=24 * 60
    )

    # The caller pop-up's choice ("ticket:<number>" or "new:<customer id>"); JS also copies it
    # into ticket_number / customer_id, this makes the choice work without JS too.
    call_target = forms.CharField(required=False, max_length=40)

    @staticmethod
    def new_token() -> str:
        return str(uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, _sep, value = (data.get("call_target") or "").partition(":")
        if kind == "ticket" and value.isdigit() and not data.get("ticket_number"):
            data["ticket_number"] = int(value)
        elif kind == "new" and value.isdigit() and not data.get("customer_id"):
            data["customer_id"] = int(value)
        return data

    def clean_number(self) -> str:
        value = valid_phone(self.cleaned_data.get("number", ""))
        if not value:
            raise ValidationError(_("Enter a valid phone number."))
        return value


class FaxForm(_IntakeForm):
    scan = forms.FileField(label=_("Scanned FAX (PDF or image)"))
    sender_name = forms.CharField(label=_("Sender name"), max_length=100, required=False)
    fax_number = forms.CharField(label=_("Sender FAX number"), max_length=30, required=False)
    irregular_order = forms.BooleanField(
        label=_("This is an order (irregular order)"), required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_fax_number(self) -> str:
        return valid_phone(self.cleaned_data.get("fax_number", ""))

    def clean_scan(self) -> UploadedFile:
        upload = self.cleaned_data["scan"]
        if upload.size is None or upload.size > settings.MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            )
        content_type = (upload.content_type or "").lower()
        if content_type not in FAX_TYPES:
            raise ValidationError(_("Upload a PDF or an image (PNG, JPEG, TIFF, GIF)."))
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(_MAGIC.get(content_type, ())):
            raise ValidationError(_("The file content does not match its type."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("fax_number") and not data.get("customer_id") and not self.errors:
            raise ValidationError(
                _("Give the sender's FAX number or pick an existing customer."),
                code="missing_sender",
            )
        return data
