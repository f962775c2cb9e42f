"""What the mail parser and the loop classifier hand to the email connector: plain dataclasses.

No Django here: the parser and classifier run in tests, benchmarks and the import command
alike, and know nothing of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage


class MailParseError(Exception):
    """A message that cannot be turned into text at all; it is stored and shown as failed."""


@dataclass(frozen=True)
class MailAddress:
    name: str
    address: str  # lower-cased domain, local part as written; "" when unparseable


@dataclass(frozen=True)
class MailAttachment:
    filename: str  # decoded (RFC 2231 / encoded-word), never empty
    content_type: str
    data: bytes
    content_id: str = ""  # without <>; set for inline images referenced by cid:
    inline: bool = False


@dataclass
class ParsedMail:
    message: EmailMessage  # the stdlib tree (policy.default), for the classifier
    message_id: str  # "<…@…>" or "" when missing
    in_reply_to: list[str]  # Message-IDs with <>, in header order
    references: list[str]
    subject: str  # decoded, one line
    sender: MailAddress | None  # From
    reply_to: list[MailAddress]
    to: list[MailAddress]
    cc: list[MailAddress]
    date: datetime | None  # aware
    text: str  # the whole plain-text body (from HTML when there is no text part)
    html: str  # the HTML body as sent (NOT sanitised; the caller sanitises)
    reply_text: str  # text without the quoted earlier mail and the signature, for the timeline
    attachments: list[MailAttachment] = field(default_factory=list)
    forwarded: bool = False  # "Fwd:" / "転送:" subject or a message/rfc822 part
    defects: list[str] = field(default_factory=list)  # what was repaired (charset lies …)


class MailKind:
    NORMAL = "normal"
    AUTO_REPLY = "auto_reply"  # RFC 3834, vacation, "自動応答"
    BOUNCE = "bounce"  # RFC 3464 DSN or a non-standard bounce
    COMPLAINT = "complaint"  # ARF feedback report
    LIST = "list"  # mailing list / bulk
    OWN = "own"  # our own notification or reply coming back


@dataclass(frozen=True)
class BouncedRecipient:
    address: str
    status: str  # "5.1.1" or "" when unknown
    reason: str  # sisimai-style: userunknown, mailboxfull, filtered, expired, …
    hard: bool  # a permanent failure: do not retry this address


@dataclass
class Classification:
    kind: str  # a MailKind value
    why: str  # the header or pattern that decided, shown to agents
    recipients: list[BouncedRecipient] = field(default_factory=list)
    # Message-ID of the mail that bounced (from the returned headers), "" when not found.
    original_message_id: str = ""

    @property
    def automatic(self) -> bool:
        """Mail no person wrote: it must never get an automatic answer."""
        return self.kind != MailKind.NORMAL
