"""Opening tickets and appending customer messages; called by inboxes.ingest only."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from madoguchi.accounts.models import Agent
from madoguchi.customers.models import Customer
from madoguchi.inboxes.models import Inbox

from .. import timeline
from ..models import UNSOLVED, AuthorKind, Delivery, Direction, Message, Status, Tag, Ticket
from ..numbers import allocate_number

PREVIEW_CHARS = 140


def preview_of(text: str) -> str:
    for line in (text or "").splitlines():
        line = line.strip()
        if line and not line.startswith(">"):
            return line[:PREVIEW_CHARS]
    return ""


def get_tags(names: list[str]) -> list[Tag]:
    """Tag rows for the names, created when new; two writers creating one tag is no error."""
    tags = []
    for name in dict.fromkeys(n.strip()[:64] for n in names if n and n.strip()):
        try:
            with transaction.atomic():
                tag, _created = Tag.objects.get_or_create(name=name)
        except IntegrityError:
            tag = Tag.objects.get(name=name)
        tags.append(tag)
    return tags


def open_ticket(
    *,
    inbox: Inbox,
    customer: Customer,
    subject: str,
    at: datetime,
    priority: str = "",
    tags: list[str] | None = None,
    opened_by: Agent | None = None,
) -> Ticket:
    """A new ticket with the next number; the timeline says who opened it on which channel."""
    ticket = Ticket.objects.create(
        number=allocate_number(),
        subject=(subject or "").strip()[:250],
        inbox=inbox,
        brand_id=inbox.brand_id,
        channel=inbox.kind,
        customer=customer,
        team_id=inbox.default_team_id,
        priority=priority or "normal",
        created_at=at,
        updated_at=at,
    )
    if tags:
        ticket.tags.add(*get_tags(tags))
    if opened_by is not None:
        timeline.record(ticket, "created", agent=opened_by, at=at, new=inbox.kind)
    else:
        timeline.record(ticket, "created", actor_kind=AuthorKind.CUSTOMER, at=at, new=inbox.kind)
    return ticket


def add_inbound_message(
    *,
    ticket: Ticket,
    inbox: Inbox,
    customer: Customer,
    body_text: str,
    body_html: str,
    subject: str,
    external_id: str,
    at: datetime,
    meta: dict,
    logged_by: Agent | None = None,
    direction: str = Direction.INBOUND,
    reopen: bool = True,
) -> tuple[Message, bool]:
    """Store a message that reached us, or a contact an agent logged (a call, a FAX).

    Inbound messages are the customer's even when an agent typed them in (`logged_by` is kept
    as author_agent); an outbound logged contact (we called them) is the agent's.
    Returns (message, reopened). `reopen=False` for mail no person wrote (a vacation reply to
    our answer): it joins the ticket without waking it up.
    """
    by_agent = logged_by is not None
    inbound = direction == Direction.INBOUND
    message = Message.objects.create(
        ticket=ticket,
        inbox=inbox,
        direction=direction,
        author_kind=(
            AuthorKind.CUSTOMER if inbound else AuthorKind.AGENT if by_agent else AuthorKind.SYSTEM
        ),
        author_agent=logged_by,
        author_customer=customer if inbound else None,
        subject=(subject or "")[:250],
        body_text=body_text,
        body_html=body_html,
        external_id=external_id[:255],
        delivery=Delivery.RECEIVED if direction == Direction.INBOUND else Delivery.NOT_SENT,
        meta=meta,
        created_at=at,
    )
    reopened = False
    fields = ["updated_at", "preview", "message_count"]
    ticket.updated_at = max(ticket.updated_at, at)
    ticket.preview = preview_of(body_text) or ticket.preview
    ticket.message_count += 1
    if direction == Direction.INBOUND:
        ticket.last_customer_message_at = at
        fields.append("last_customer_message_at")
        if reopen and ticket.status in (Status.SOLVED, Status.PENDING, Status.ON_HOLD):
            old = ticket.status
            ticket.status = Status.OPEN
            ticket.solved_at = None
            fields += ["status", "solved_at"]
            reopened = old == Status.SOLVED
            timeline.record(
                ticket, "status", actor_kind=AuthorKind.CUSTOMER, field="status", old=old,
                new=Status.OPEN, at=at,
            )  # fmt: skip
    elif by_agent:
        ticket.last_agent_message_at = at
        fields.append("last_agent_message_at")
        if ticket.first_response_at is None:
            ticket.first_response_at = at
            fields.append("first_response_at")
        if ticket.status == Status.NEW:
            ticket.status = Status.OPEN
            fields.append("status")
            timeline.record(
                ticket, "status", agent=logged_by, field="status", old=Status.NEW,
                new=Status.OPEN, at=at,
            )  # fmt: skip
    ticket.save(update_fields=fields)
    return message, reopened


def is_open(ticket: Ticket) -> bool:
    return ticket.status in UNSOLVED
