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
TRUE = frozenset({"on", "true", "1", "yes"})


@dataclass(frozen=True)
class ChannelField:
    key: str
    label: Any
    secret: bool = False  # True: in credentials, write-only
    input: str = "text"  # text | textarea | colour | port | host | email | select | toggle
    help: Any = ""
    # select: (value, label) pairs; "" (not stored) means the connector's default, `default`.
    choices: tuple[tuple[str, Any], ...] = ()
    default: str = ""

    @property
    def choice_values(self) -> frozenset[str]:
        return frozenset(value for value, _label in self.choices)


@dataclass(frozen=True)
class KindSpec:
    address_label: Any
    address_input: str = "text"  # text | email
    address_required: bool = False
    fields: tuple[ChannelField, ...] = ()


SECURITY = (
    ("ssl", _("SSL/TLS")),
    ("starttls", "STARTTLS"),
    ("none", _("None (plain text, only inside a trusted network)")),
)

_EMAIL = (
    ChannelField("imap_host", _("IMAP server"), input="host", help=_("e.g. imap.example.jp")),
    ChannelField(
        "imap_port", _("IMAP port"), input="port", help=_("993 for SSL/TLS, 143 for STARTTLS")
    ),
    ChannelField(
        "imap_security", _("IMAP security"), input="select", choices=SECURITY, default="ssl"
    ),
    ChannelField("imap_username", _("IMAP login")),
    ChannelField("imap_password", _("IMAP password"), secret=True),
    ChannelField(
        "imap_folder",
        _("IMAP folders"),
        help=_("Comma-separated, e.g. INBOX, Support. INBOX when empty."),
    ),
    ChannelField(
        "imap_after",
        _("After fetching"),
        input="select",
        choices=(
            ("keep", _("Leave the mail as it is")),
            ("seen", _("Mark it as read")),
            ("move", _("Move it to another folder")),
        ),
        default="keep",
        help=_("Mail is never fetched twice either way: the last fetched UID is remembered."),
    ),
    ChannelField(
        "imap_move_to", _("Move to folder"), help=_("Used with “Move it to another folder”.")
    ),
    ChannelField(
        "sending",
        _("Send replies through"),
        input="select",
        choices=(
            ("smtp", "SMTP"),
            ("mailgun", "Mailgun"),
            ("sendgrid", "SendGrid"),
            ("postmark", "Postmark"),
            ("amazon_ses", "Amazon SES"),
        ),
        default="smtp",
    ),
    ChannelField(
        "smtp_host",
        _("SMTP server"),
        input="host",
        help=_("Empty: the server-wide outgoing mail settings are used."),
    ),
    ChannelField(
        "smtp_port", _("SMTP port"), input="port", help=_("465 for SSL/TLS, 587 for STARTTLS")
    ),
    ChannelField(
        "smtp_security", _("SMTP security"), input="select", choices=SECURITY, default="starttls"
    ),
    ChannelField("smtp_username", _("SMTP login")),
    ChannelField("smtp_password", _("SMTP password"), secret=True),
    ChannelField(
        "provider_api_key",
        _("Provider API key"),
        secret=True,
        help=_("For Mailgun, SendGrid, Postmark or Amazon SES."),
    ),
    ChannelField(
        "webhook_secret",
        _("Inbound webhook signing key"),
        secret=True,
        help=_("The key the provider signs inbound-mail webhooks with."),
    ),
    ChannelField(
        "from_name",
        _("From name"),
        help=_("The name customers see beside the address; the inbox name when empty."),
    ),
    ChannelField("signature", _("Signature"), input="textarea"),
    ChannelField(
        "outbound_charset",
        _("Character set of outgoing mail"),
        input="select",
        choices=(
            ("utf-8", "UTF-8"),
            ("iso-2022-jp", _("ISO-2022-JP (for old Japanese mail clients)")),
        ),
        default="utf-8",
    ),
    ChannelField(
        "auto_reply",
        _("Send an automatic acknowledgement"),
        input="toggle",
        help=_("Never sent to automatic mail, bounces or mailing lists; rate-limited per address."),
    ),
    ChannelField("auto_reply_subject", _("Acknowledgement subject")),
    ChannelField(
        "auto_reply_body",
        _("Acknowledgement text"),
        input="textarea",
        help=_(
            "Variables: {{ticket.number}}, {{ticket.subject}}, {{customer.name}}, {{brand.name}}."
        ),
    ),
)

SPECS: dict[str, KindSpec] = {
    InboxKind.EMAIL: KindSpec(
        _("Support address"), address_input="email", address_required=True, fields=_EMAIL
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
    if field.input == "toggle":
        return "on" if value is True or str(value or "").strip().lower() in TRUE else ""
    text = str(value or "").strip()
    if not text:
        return ""
    limit = 4000 if field.input == "textarea" or field.secret else 255
    if len(text) > limit:
        raise ValidationError(_("This value is too long."))
    if field.input == "select" and text not in field.choice_values:
        raise ValidationError(_("Choose one of the offered options."))
    if field.input == "colour" and not COLOUR.match(text):
        raise ValidationError(_("Enter a colour such as #1f6f78."))
    if field.input == "port" and not (text.isdigit() and 0 < int(text) < 65536):
        raise ValidationError(_("Enter a port number between 1 and 65535."))
    if field.input == "host" and not HOST.match(text):
        raise ValidationError(_("Enter a host name such as imap.example.jp."))
    if field.input == "text" and not field.secret and ("\r" in text or "\n" in text):
        raise ValidationError(_("Enter a single line."))
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


def combination_error(kind: str, settings: dict[str, Any]) -> tuple[str, Any] | None:
    """A setting that only makes sense with another: (field, message), or None when fine."""
    if kind != InboxKind.EMAIL:
        return None
    if settings.get("imap_after") == "move" and not settings.get("imap_move_to"):
        return "imap_move_to", _("Enter the folder to move fetched mail to.")
    if settings.get("auto_reply") == "on" and not settings.get("auto_reply_body"):
        return "auto_reply_body", _("Enter the text of the automatic acknowledgement.")
    return None
