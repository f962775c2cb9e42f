"""What connectors hand to ingest() and what delivery hands to connectors: plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SenderHandle:
    kind: str  # an IdentityKind value: email, phone, line …
    value: str
    display: str = ""


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class InboundMessage:
    """One delivery from a channel, already verified and decoded by its connector."""

    inbox_id: int
    external_id: str  # the provider's id of this delivery; makes ingest idempotent
    sender: SenderHandle | None
    body_text: str
    body_html: str = ""
    subject: str = ""
    sender_name: str = ""
    sender_name_kana: str = ""
    extra_handles: list[SenderHandle] = field(default_factory=list)
    customer_id: int | None = None  # the connector (or an agent) already knows the customer
    ticket_id: int | None = None  # the connector matched a thread
    received_at: datetime | None = None
    attachments: list[InboundAttachment] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # A contact an agent logs (phone call they made): outbound, authored by that agent.
    direction: str = "in"
    logged_by_agent_id: int | None = None
    tags: list[str] = field(default_factory=list)
    priority: str = ""


@dataclass(frozen=True)
class OutboundAttachment:
    filename: str
    content_type: str
    path: str  # storage name


@dataclass(frozen=True)
class OutboundMessage:
    """One reply to deliver, as a connector needs it and nothing more of the domain."""

    outbox_id: int
    idempotency_key: str
    inbox_id: int
    inbox_kind: str
    inbox_address: str
    inbox_name: str
    transport: str  # how it travels: "email", "line", …
    to: str
    to_name: str
    subject: str
    body_text: str
    body_html: str
    ticket_number: int
    message_id: int
    in_reply_to: str = ""
    attachments: tuple[OutboundAttachment, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, Any] = field(default_factory=dict)
    # Provider ids of earlier public messages of the ticket, oldest first (email References).
    references: tuple[str, ...] = ()
    # Further recipients the agent added (email Cc); other transports ignore them.
    cc: tuple[str, ...] = ()
    # Blind copies: delivered, never written into the mail's headers.
    bcc: tuple[str, ...] = ()
    # The ticket's primary key: signed into our Message-ID and reply address (threading).
    ticket_id: int = 0
    # Sent by the system (auto-reply, acknowledgement): marked so other robots stay quiet.
    automatic: bool = False
    # The author's signature, else the inbox's; appended below a "-- " line.
    signature: str = ""
    # False for the first message of a conversation we start ourselves: no "Re:".
    replying: bool = True
