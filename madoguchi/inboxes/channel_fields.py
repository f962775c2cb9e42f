"""What each inbox kind stores: the address it answers on, public settings (`Inbox.settings`)
and secrets (`Inbox.credentials`, Fernet-encrypted, never shown again once saved).

Connectors read these keys; the settings pages build their forms from this one list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .models import InboxKind

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


@dataclass(frozen=True)
class ChannelField:
    key: str
    label: Any
    secret: bool = False  # True: in credentials, write-only
    input: str = "text"  # text | textarea | colour | port | host | email
    help: Any = ""


@dataclass(frozen=True)
class KindSpec:
    address_label: Any
    address_input: str = "text"  # text | email
    address_required: bool = False
    fields: tuple[ChannelField, ...] = ()


_IMAP = (
    ChannelField("imap_host", _("IMAP server"), input="host"),
    ChannelField("imap_port", _("IMAP port"), input="port", help=_("993 for IMAPS")),
    ChannelField("imap_username", _("IMAP login")),
    ChannelField("imap_folder", _("IMAP folder"), help=_("INBOX when empty")),
    ChannelField("imap_password", _("IMAP password"), secret=True),
)

SPECS: dict[str, KindSpec] = {
    InboxKind.EMAIL: KindSpec(
        _("Support address"), address_input="email", address_required=True, fields=_IMAP
    ),
    InboxKind.FORM: KindSpec(
        _("Reply-from address"),
        address_input="email",
        fields=(
            ChannelField(
                "accent_color", _("Accent colour"), input="colour", help=_("e.g. #1f6f78")
            ),
            ChannelField("form_intro", _("Text above the form"), input="textarea"),
        ),
    ),
    InboxKind.CHAT: KindSpec(_("Website")),
    InboxKind.API: KindSpec(_("Source system")),
    InboxKind.PHONE: KindSpec(_("Phone number")),
    InboxKind.FAX: KindSpec(_("FAX number")),
    InboxKind.LINE: KindSpec(
        _("LINE account ID"),
        fields=(
            ChannelField("channel_secret", _("Channel secret"), secret=True),
            ChannelField("channel_access_token", _("Channel access token"), secret=True),
        ),
    ),
    InboxKind.META: KindSpec(
        _("Account"),
        fields=(
            ChannelField("page_id", _("Page ID")),
            ChannelField("app_secret", _("App secret"), secret=True),
            ChannelField("page_access_token", _("Page access token"), secret=True),
            ChannelField("verify_token", _("Webhook verify token"), secret=True),
        ),
    ),
    InboxKind.X: KindSpec(
        _("Account"),
        fields=(
            ChannelField("api_key", _("API key")),
            ChannelField("api_key_secret", _("API key secret"), secret=True),
            ChannelField("access_token", _("Access token"), secret=True),
            ChannelField("access_token_secret", _("Access token secret"), secret=True),
        ),
    ),
    InboxKind.SMS: KindSpec(
        _("Sending number"),
        fields=(
            ChannelField("account_sid", _("Twilio account SID")),
            ChannelField("auth_token", _("Twilio auth token"), secret=True),
        ),
    ),
}


def spec_for(kind: str) -> KindSpec:
    return SPECS[kind]


def clean_value(field: ChannelField, value: Any) -> str:
    """A setting as stored, or ValidationError with a message the page shows by the field."""
    text = str(value or "").strip()
    if not text:
        return ""
    limit = 4000 if field.input == "textarea" or field.secret else 255
    if len(text) > limit:
        raise ValidationError(_("This value is too long."))
    if field.input == "colour" and not COLOUR.match(text):
        raise ValidationError(_("Enter a colour such as #1f6f78."))
    if field.input == "port" and not (text.isdigit() and 0 < int(text) < 65536):
        raise ValidationError(_("Enter a port number between 1 and 65535."))
    if field.input == "host" and not HOST.match(text):
        raise ValidationError(_("Enter a host name such as imap.example.jp."))
    return text


def clean_address(spec: KindSpec, value: str) -> str:
    text = (value or "").strip()
    if not text:
        if spec.address_required:
            raise ValidationError(_("This inbox needs an address."))
        return ""
    if len(text) > 320:
        raise ValidationError(_("This value is too long."))
    if spec.address_input == "email":
        validate_email(text)
    return text
