"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent, Brand, Team
from madoguchi.connectors.fax import ACCEPTED_TYPES as FAX_TYPES
from madoguchi.inboxes.models import Inbox, InboxKind
from madoguchi.lib.handles import InvalidHandle, normalise_email, normalise_phone
from madoguchi.tickets.models import Priority, Status
from madoguchi.tickets.queries import ORDERS, VIEWS

TAG_SPLIT = re.compile(r"[,、，\s]+")
# Leading bytes of the file types a FAX scan may have; the browser's content type is a claim.
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}


def split_tags(value: str) -> list[str]:
    """`配送, 返品 VIP` → ['配送', '返品', 'VIP'] (comma, Japanese comma or space)."""
    return [t for t in TAG_SPLIT.split(value or "") if t]


def parse_ticket_number(value: str) -> int | None:
    """`#10234`, `10234` or `＃１０２３４` → 10234; empty → None."""
    text = (value or "").strip().translate(str.maketrans("＃０１２３４５６７８９", "#0123456789"))
    if not text:
        return None
    text = text.lstrip("#").strip()
    if not text.isdigit() or len(text) > 18:
        raise ValidationError(_("Enter a ticket number such as #10234."))
    return int(text)


class TicketNumberField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        return parse_ticket_number(super().clean(value))


def _blank(label: Any) -> list[tuple[Any, Any]]:
    return [("", label)]


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    """Fill a choice field from the database when the form is built (one query each)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class InboxFilterForm(forms.Form):
    """The inbox's GET parameters; invalid values are reported, never guessed."""

    view = forms.ChoiceField(required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    inbox = forms.TypedChoiceField(label=_("Inbox"), required=False, coerce=int, empty_value=None)
    brand = forms.TypedChoiceField(label=_("Brand"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=_blank(_("All channels")) + InboxKind.choices
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=_blank(_("Any priority")) + Priority.choices
    )
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    order = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("newest", _("Newest activity first")), ("oldest", _("Oldest activity first"))],
    )
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any,
        *,
        inboxes: QuerySet[Inbox],
        brands: QuerySet[Brand],
        agents: QuerySet[Agent],
        teams: QuerySet[Team],
    ) -> None:
        super().__init__(data)
        set_choices(self, "view", _blank(_("All tickets")) + list(VIEWS.items()))
        set_choices(self, "inbox", _blank(_("All inboxes")) + [(i.pk, i.name) for i in inboxes])
        set_choices(self, "brand", _blank(_("All brands")) + [(b.pk, b.name) for b in brands])
        set_choices(
            self,
            "assignee",
            _blank(_("Anyone"))
            + [("me", _("Me")), ("none", _("Unassigned"))]
            + [(str(a.pk), a.display_name) for a in agents],
        )
        set_choices(self, "team", _blank(_("All teams")) + [(t.pk, t.name) for t in teams])

    def clean_order(self) -> str:
        return self.cleaned_data.get("order") or ORDERS[0]


class ReplyForm(forms.Form):
    MODES = [("public", _("Public reply")), ("internal", _("Internal note"))]

    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea)
    mode = forms.ChoiceField(
        label=_("Reply type"), choices=MODES, initial="public", widget=forms.RadioSelect
    )
    expected_last_message_id = forms.IntegerField(
        required=False, min_value=0, widget=forms.HiddenInput
    )
    macro = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    set_status = forms.ChoiceField(
        label=_("Then set status"),
        required=False,
        choices=_blank(_("Keep status")) + [(s, label) for s, label in Status.choices],
    )


class TicketUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas or spaces."),
    )

    def __init__(
        self, *args: Any, agents: QuerySet[Agent], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "assignee", _blank(_("Unassigned")) + [(a.pk, a.display_name) for a in agents]
        )
        set_choices(self, "team", _blank(_("No team")) + [(t.pk, t.name) for t in teams])

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "priority": data["priority"],
            "assignee_id": data["assignee"],
            "team_id": data["team"],
            "tags": split_tags(data["tags"]),
        }


class MergeTicketForm(forms.Form):
    target = TicketNumberField(label=_("Merge into ticket number"), required=True)


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    name_kana = forms.CharField(label=_("Furigana"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        required=False,
        choices=_blank(_("Not set")) + InboxKind.choices,
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    tags = forms.CharField(label=_("Tags"), max_length=1000, required=False)
    add_email = forms.CharField(label=_("Add an email address"), max_length=254, required=False)
    add_phone = forms.CharField(label=_("Add a phone number"), max_length=30, required=False)

    def clean_add_email(self) -> str:
        value = self.cleaned_data.get("add_email", "").strip()
        if value:
            try:
                normalise_email(value)
            except InvalidHandle as exc:
                raise ValidationError(_("Enter a valid email address.")) from exc
        return value

    def clean_add_phone(self) -> str:
        return _valid_phone(self.cleaned_data.get("add_phone", ""))

    def fields_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("add_email")
        data.pop("add_phone")
        data["tags"] = split_tags(data["tags"])
        return data


class MergeCustomerForm(forms.Form):
    target = forms.IntegerField(label=_("Customer ID to merge into"), min_value=1)


def _valid_phone(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            normalise_phone(value, settings.PHONE_DEFAULT_REGION)
        except InvalidHandle as exc:
            raise ValidationError(_("Enter a valid phone number.")) from exc
    return value


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

    @staticmethod
    def new_token() -> str:
        return str(uuid.uuid4())

    def clean_number(self) -> str:
        value = _valid_phone(self.cleaned_data.get("number", ""))
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
        return _valid_phone(self.cleaned_data.get("fax_number", ""))

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


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=120)
