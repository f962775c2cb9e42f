"""The one door every inbound message comes through (DESIGN.md §1)."""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can, require
from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.core.events import MessageReceived, TicketCreated, emit_on_commit
from madoguchi.customers.actions import (
    Handle,
    attach_handles,
    find_or_create,
    normalise_handle,
    resolve,
)
from madoguchi.customers.indexing import reindex_customer
from madoguchi.customers.models import Customer
from madoguchi.lib.html import html_to_text, sanitise
from madoguchi.tickets import timeline
from madoguchi.tickets.access import get_visible_ticket, working_inboxes
from madoguchi.tickets.actions import add_inbound_message, open_ticket
from madoguchi.tickets.actions.opening import get_tags
from madoguchi.tickets.indexing import index_new_message
from madoguchi.tickets.models import (
    Attachment,
    Direction,
    Priority,
    Status,
    Ticket,
    storage_name,
)

from .messages import InboundMessage
from .models import Inbox

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
MAX_EXTERNAL_ID_CHARS = 255
MAX_BODY_CHARS = 1_000_000
MAX_TAGS = 20
# PostgreSQL deadlock / serialisation failure: the transaction can simply run again.
_RETRYABLE_SQLSTATES = {"40P01", "40001"}


@dataclass(frozen=True)
class IngestResult:
    ticket_id: int
    message_id: int
    customer_id: int
    created_ticket: bool
    duplicate: bool
    reopened: bool = False


def ingest(inbound: InboundMessage) -> IngestResult:
    """Store one delivery: idempotent on (inbox, external_id), also under concurrency.

    A race (two workers, the same delivery, or the same new customer) surfaces as an
    IntegrityError (or a deadlock on PostgreSQL); the whole transaction rolls back and is
    tried again, so no half rows stay. Bad input raises ValidationFailed / NotFound /
    Forbidden before anything is written.
    """
    check_inbound(inbound)
    for attempt in range(MAX_ATTEMPTS):
        # The duplicate check runs inside the transaction (_write), where it sees a twin that
        # committed while this one waited; no separate round trip before it.
        try:
            return _ingest_once(inbound)
        except (IntegrityError, OperationalError) as exc:
            if attempt == MAX_ATTEMPTS - 1 or not _is_race(exc):
                raise
            logger.info("ingest race on inbox %s (%s), retrying", inbound.inbox_id, exc)
    raise AssertionError("unreachable")


def _is_race(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in str(exc)


def check_inbound(inbound: InboundMessage) -> None:
    """Refuse what a connector should never hand over; nothing is written yet."""
    if not isinstance(inbound.inbox_id, int) or isinstance(inbound.inbox_id, bool):
        raise NotFound(_("Inbox not found."), code="inbox_not_found")
    if not isinstance(inbound.external_id, str):
        raise ValidationFailed(_("The external id must be text."), code="invalid_external_id")
    if len(inbound.external_id) > MAX_EXTERNAL_ID_CHARS:
        raise ValidationFailed(
            _("The external id is too long."),
            code="invalid_external_id",
            details={"limit": MAX_EXTERNAL_ID_CHARS},
        )
    if not inbound.body_text.strip() and not inbound.body_html.strip() and not inbound.attachments:
        raise ValidationFailed(_("The message is empty."), code="empty_message")
    if len(inbound.body_text) > MAX_BODY_CHARS or len(inbound.body_html) > MAX_BODY_CHARS:
        raise ValidationFailed(
            _("The message is too long."),
            code="message_too_long",
            details={"limit": MAX_BODY_CHARS},
        )
    if inbound.sender is None and inbound.customer_id is None:
        raise ValidationFailed(_("The sender is unknown."), code="missing_sender")
    for handle in [inbound.sender, *inbound.extra_handles]:
        if handle is not None:
            normalise_handle(handle.kind, handle.value)
    if inbound.direction not in (Direction.INBOUND, Direction.OUTBOUND):
        raise ValidationFailed(_("Unknown direction."), code="invalid_direction")
    if inbound.direction == Direction.OUTBOUND and inbound.logged_by_agent_id is None:
        raise ValidationFailed(
            _("Only an agent can log an outgoing contact."), code="invalid_direction"
        )
    if inbound.priority and inbound.priority not in Priority.values:
        raise ValidationFailed(
            _("Unknown priority."), code="invalid_priority", details=Priority.values
        )
    if not all(isinstance(t, str) for t in inbound.tags) or len(inbound.tags) > MAX_TAGS:
        raise ValidationFailed(
            _("Tags must be a list of at most %(limit)d texts.") % {"limit": MAX_TAGS},
            code="invalid_tags",
        )
    for item in inbound.attachments:
        if len(item.data) > settings.MAX_ATTACHMENT_BYTES:
            raise ValidationFailed(
                _("%(name)s is larger than the attachment limit.") % {"name": item.filename},
                code="attachment_too_large",
                details={"limit": settings.MAX_ATTACHMENT_BYTES},
            )


def _existing(inbound: InboundMessage) -> IngestResult | None:
    if not inbound.external_id:
        return None
    # On the hot path of every delivery: plain SQL over the (inbox, external_id) unique index.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT m.id, m.ticket_id, t.customer_id FROM tickets_message m"
            " JOIN tickets_ticket t ON t.id = m.ticket_id"
            " WHERE m.inbox_id = %s AND m.external_id = %s",
            [inbound.inbox_id, inbound.external_id],
        )
        found = cur.fetchone()
    if not found:
        return None
    return IngestResult(
        ticket_id=found[1],
        message_id=found[0],
        customer_id=found[2],
        created_ticket=False,
        duplicate=True,
    )


def _logged_by(inbound: InboundMessage, inbox: Inbox) -> Agent | None:
    """The agent who logged this contact, checked like any other agent write."""
    if inbound.logged_by_agent_id is None:
        return None
    agent = Agent.objects.select_related("user").filter(pk=inbound.logged_by_agent_id).first()
    if agent is None:
        raise NotFound(_("Agent not found."), code="agent_not_found")
    require(agent, Capability.WRITE)
    if inbound.ticket_id is not None:
        get_visible_ticket(agent, inbound.ticket_id)
    elif not can(agent, Capability.VIEW_ALL):
        if not working_inboxes(agent).filter(pk=inbox.pk).exists():
            raise NotFound(_("Inbox not found."), code="inbox_not_found")
    return agent


def _customer_for(inbound: InboundMessage) -> tuple[Customer, bool]:
    senders = [inbound.sender] if inbound.sender else []
    handles = [Handle(h.kind, h.value, h.display) for h in [*senders, *inbound.extra_handles]]
    if inbound.customer_id is not None:
        customer = Customer.objects.filter(pk=inbound.customer_id).first()
        if customer is None:
            raise NotFound(_("Customer not found."), code="customer_not_found")
        customer = resolve(customer)
        if handles and attach_handles(customer, handles):
            reindex_customer(customer)
        return customer, False
    return find_or_create(handles, name=inbound.sender_name, name_kana=inbound.sender_name_kana)


def _thread_for(inbound: InboundMessage) -> tuple[Ticket | None, Ticket | None]:
    """(ticket to append to, closed ticket the message follows up on).

    The ticket the connector pointed at, following merges; a closed ticket stays closed and
    the message opens a new ticket that refers to it.
    """
    if inbound.ticket_id is None:
        return None, None
    ticket = Ticket.objects.select_for_update().filter(pk=inbound.ticket_id).first()
    seen: set[int] = set()
    while ticket and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.select_for_update().filter(pk=ticket.merged_into_id).first()
    if ticket is not None and ticket.status == Status.CLOSED:
        return None, ticket
    return ticket, None


def _ingest_once(inbound: InboundMessage) -> IngestResult:
    saved_files: list[str] = []
    try:
        return _write(inbound, saved_files)
    except BaseException:
        # The rows rolled back; the files written for them must not stay behind.
        for name in saved_files:
            default_storage.delete(name)
        raise


@transaction.atomic
def _write(inbound: InboundMessage, saved_files: list[str]) -> IngestResult:
    inbox = Inbox.objects.filter(pk=inbound.inbox_id).select_related("brand").first()
    if inbox is None:
        raise NotFound(_("Inbox not found."), code="inbox_not_found")
    # Under SQLite's serialised writers a concurrent twin has committed by now: no wasted work.
    existing = _existing(inbound)
    if existing:
        return existing
    logged_by = _logged_by(inbound, inbox)
    at = inbound.received_at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    customer, _created_customer = _customer_for(inbound)
    ticket, follows = _thread_for(inbound)
    created_ticket = ticket is None
    if ticket is None:
        ticket = open_ticket(
            inbox=inbox,
            customer=customer,
            subject=inbound.subject or _subject_from(inbound),
            at=at,
            priority=inbound.priority,
            tags=inbound.tags,
            opened_by=logged_by,
        )
        if follows is not None:
            timeline.record(
                ticket, "follow_up", field="follow_up_of", new=f"#{follows.number}", at=at
            )
    body_html = sanitise(inbound.body_html) if inbound.body_html else ""
    body_text = inbound.body_text or html_to_text(body_html)
    message, reopened = add_inbound_message(
        ticket=ticket,
        inbox=inbox,
        customer=customer,
        body_text=body_text,
        body_html=body_html,
        subject=inbound.subject,
        external_id=inbound.external_id,
        at=at,
        meta={**inbound.meta, **({"follow_up_of": follows.pk} if follows else {})},
        logged_by=logged_by,
        direction=inbound.direction,
        reopen=not inbound.meta.get("automatic"),
    )
    if not created_ticket and inbound.tags:
        ticket.tags.add(*get_tags(inbound.tags))
    for item in inbound.attachments:
        attachment = Attachment(
            message=message,
            filename=item.filename.strip()[:255] or "attachment",
            content_type=item.content_type
            or mimetypes.guess_type(item.filename)[0]
            or "application/octet-stream",
            size=len(item.data),
        )
        attachment.file.save(storage_name(item.filename), ContentFile(item.data), save=False)
        saved_files.append(attachment.file.name or "")
        attachment.save()
    index_new_message(ticket, body_text, new_ticket=created_ticket)
    if created_ticket:
        emit_on_commit(TicketCreated(ticket_id=ticket.pk, channel=ticket.channel))
    emit_on_commit(MessageReceived(ticket_id=ticket.pk, message_id=message.pk, reopened=reopened))
    return IngestResult(
        ticket_id=ticket.pk,
        message_id=message.pk,
        customer_id=customer.pk,
        created_ticket=created_ticket,
        duplicate=False,
        reopened=reopened,
    )


def _subject_from(inbound: InboundMessage) -> str:
    text = inbound.body_text or html_to_text(inbound.body_html)
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:80]
    return str(_("(no subject)"))
