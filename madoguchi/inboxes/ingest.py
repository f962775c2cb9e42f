"""The one door every inbound message comes through (DESIGN.md §1)."""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.core.events import MessageReceived, TicketCreated, emit_on_commit
from madoguchi.customers.actions import Handle, find_or_create, resolve
from madoguchi.customers.models import Customer
from madoguchi.lib.html import html_to_text, sanitise
from madoguchi.tickets.actions import add_inbound_message, open_ticket
from madoguchi.tickets.indexing import reindex_ticket
from madoguchi.tickets.models import Attachment, Direction, Message, Status, Ticket

from .messages import InboundMessage
from .models import Inbox

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 4


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
    IntegrityError; the whole transaction rolls back and is tried again, so no half rows stay.
    """
    check_inbound(inbound)
    for attempt in range(MAX_ATTEMPTS):
        existing = _existing(inbound)
        if existing:
            return existing
        try:
            return _ingest_once(inbound)
        except IntegrityError:
            if attempt == MAX_ATTEMPTS - 1:
                raise
            logger.info("ingest race on inbox %s, retrying", inbound.inbox_id)
    raise AssertionError("unreachable")


def check_inbound(inbound: InboundMessage) -> None:
    if not inbound.body_text.strip() and not inbound.body_html.strip() and not inbound.attachments:
        raise ValidationFailed(_("The message is empty."), code="empty_message")
    if inbound.sender is None and inbound.customer_id is None:
        raise ValidationFailed(_("The sender is unknown."), code="missing_sender")
    if len(inbound.external_id) > 255:
        raise ValidationFailed(_("The external id is too long."), code="invalid_external_id")


def _existing(inbound: InboundMessage) -> IngestResult | None:
    if not inbound.external_id:
        return None
    found = (
        Message.objects.filter(inbox_id=inbound.inbox_id, external_id=inbound.external_id)
        .values("pk", "ticket_id", "ticket__customer_id")
        .first()
    )
    if not found:
        return None
    return IngestResult(
        ticket_id=found["ticket_id"],
        message_id=found["pk"],
        customer_id=found["ticket__customer_id"],
        created_ticket=False,
        duplicate=True,
    )


def _customer_for(inbound: InboundMessage) -> tuple[Customer, bool]:
    handles = [Handle(h.kind, h.value, h.display) for h in ([inbound.sender] if inbound.sender else [])]
    handles += [Handle(h.kind, h.value, h.display) for h in inbound.extra_handles]
    if inbound.customer_id is not None:
        customer = Customer.objects.filter(pk=inbound.customer_id).first()
        if customer is None:
            raise NotFound(_("Customer not found."), code="customer_not_found")
        customer = resolve(customer)
        if handles:
            from madoguchi.customers.actions import attach_handles
            from madoguchi.customers.indexing import reindex_customer

            if attach_handles(customer, handles):
                reindex_customer(customer)
        return customer, False
    return find_or_create(handles, name=inbound.sender_name, name_kana=inbound.sender_name_kana)


def _thread_for(inbound: InboundMessage, customer: Customer) -> Ticket | None:
    """The ticket the connector pointed at, following merges; closed tickets start anew."""
    if inbound.ticket_id is None:
        return None
    ticket = Ticket.objects.select_for_update().filter(pk=inbound.ticket_id).first()
    seen: set[int] = set()
    while ticket and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.select_for_update().filter(pk=ticket.merged_into_id).first()
    if ticket is None or ticket.status == Status.CLOSED:
        return None
    return ticket


@transaction.atomic
def _ingest_once(inbound: InboundMessage) -> IngestResult:
    inbox = Inbox.objects.filter(pk=inbound.inbox_id).first()
    if inbox is None:
        raise NotFound(_("Inbox not found."), code="inbox_not_found")
    at = inbound.received_at or timezone.now()
    customer, _created_customer = _customer_for(inbound)
    ticket = _thread_for(inbound, customer)
    created_ticket = ticket is None
    if ticket is None:
        ticket = open_ticket(
            inbox=inbox,
            customer=customer,
            subject=inbound.subject or _subject_from(inbound),
            at=at,
            priority=inbound.priority,
            tags=inbound.tags,
        )
    body_html = sanitise(inbound.body_html) if inbound.body_html else ""
    body_text = inbound.body_text or html_to_text(body_html)
    logged_by = None
    if inbound.logged_by_agent_id:
        logged_by = Agent.objects.filter(pk=inbound.logged_by_agent_id).first()
    message, reopened = add_inbound_message(
        ticket=ticket,
        inbox=inbox,
        customer=customer,
        body_text=body_text,
        body_html=body_html,
        subject=inbound.subject,
        external_id=inbound.external_id,
        at=at,
        meta=inbound.meta,
        logged_by=logged_by,
        direction=Direction.OUTBOUND if inbound.direction == "out" else Direction.INBOUND,
    )
    for item in inbound.attachments:
        attachment = Attachment(
            message=message,
            filename=item.filename[:255] or "attachment",
            content_type=item.content_type
            or mimetypes.guess_type(item.filename)[0]
            or "application/octet-stream",
            size=len(item.data),
        )
        attachment.file.save(_storage_name(item.filename), ContentFile(item.data), save=False)
        attachment.save()
    reindex_ticket(ticket)
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


def _storage_name(filename: str) -> str:
    """Storage names stay ASCII-safe; the real (often Japanese) name lives in the row."""
    import os
    import uuid

    ext = os.path.splitext(filename)[1][:10].lower()
    if not ext.isascii():
        ext = ""
    return f"{uuid.uuid4().hex}{ext}"
