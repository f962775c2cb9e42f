"""Tickets: list (filters, full text, keyset pages), create through the api connector, read,
change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.params.functions import Header
from ninja.responses import Status

from madoguchi.accounts.models import Agent
from madoguchi.connectors.api import parse as parse_api_ticket
from madoguchi.core.errors import ValidationFailed
from madoguchi.inboxes.ingest import ingest
from madoguchi.tickets.access import get_visible_customer
from madoguchi.tickets.actions import do_update_ticket
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.queries import TicketFilter, ticket_page, ticket_with_conversation

from ..access import inbox_for_new_ticket
from ..auth import current_agent
from ..errors import unknown_query_params
from ..schemas.common import MAX_ID, READ_ERRORS, WRITE_ERRORS, Composite, ErrorOut, PathId
from ..schemas.tickets import (
    TicketCreateIn,
    TicketDetailOut,
    TicketListQuery,
    TicketOut,
    TicketPageOut,
    TicketUpdateIn,
)

router = Router(tags=["tickets"])

TICKET_RELATIONS = ("customer", "assignee", "team", "inbox", "brand")


def load_ticket(ticket_id: int) -> Ticket:
    """A ticket with what TicketOut shows, read after an action changed it."""
    return (
        Ticket.objects.select_related(*TICKET_RELATIONS).prefetch_related("tags").get(pk=ticket_id)
    )


def conversation(agent: Agent, ticket_id: int) -> Composite:
    data = ticket_with_conversation(agent, ticket_id)
    return Composite(data["ticket"], messages=data["messages"], timeline=data["timeline"])


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _assignee(value: str, agent: Agent) -> tuple[int | None, bool]:
    """`assignee=` as (agent id, unassigned only)."""
    value = value.strip().lower()
    if not value:
        return None, False
    if value == "none":
        return None, True
    if value == "me":
        return agent.pk, False
    if value.isdigit() and 1 <= int(value) <= MAX_ID:
        return int(value), False
    raise ValidationFailed(
        _("assignee must be an agent id, “me” or “none”."), code="invalid_assignee"
    )


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@router.get("/tickets", response={200: TicketPageOut, READ_ERRORS: ErrorOut})
def list_tickets(request: HttpRequest, filters: Query[TicketListQuery]) -> dict[str, Any]:
    """Tickets in your scope, newest activity first. Pass `next_cursor` back as `cursor`."""
    unknown_query_params(request, set(TicketListQuery.model_fields))
    agent = current_agent(request)
    assignee_id, unassigned = _assignee(filters.assignee, agent)
    flt = TicketFilter(
        view=filters.view.strip(),
        status=_split(filters.status),
        inbox_id=filters.inbox,
        brand_id=filters.brand,
        assignee_id=assignee_id,
        unassigned=unassigned,
        team_id=filters.team,
        tag=filters.tag.strip(),
        priority=filters.priority.value if filters.priority else "",
        channel=filters.channel.strip(),
        customer_id=filters.customer,
        updated_since=_aware(filters.updated_since),
        q=filters.q,
    )
    page = ticket_page(agent, flt, order=filters.order, cursor=filters.cursor, limit=filters.limit)
    prefetch_related_objects(page.items, "tags", "team")
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/tickets",
    response={201: TicketDetailOut, 200: TicketDetailOut, WRITE_ERRORS: ErrorOut},
)
def create_ticket(
    request: HttpRequest,
    payload: TicketCreateIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description="used as external_id when that is absent"
    ),
) -> Status[Any]:
    """Open a ticket as if the customer wrote in (the `api` connector).

    Idempotent: the same `external_id` (or `Idempotency-Key` header) returns the ticket
    already made, with status 200 instead of 201.
    """
    agent = current_agent(request)
    inbox = inbox_for_new_ticket(agent, payload.inbox)
    if payload.customer_id is not None:
        get_visible_customer(agent, payload.customer_id)
    data = payload.model_dump(mode="json", exclude_none=True)
    data["external_id"] = _external_id(payload.external_id, idempotency_key)
    inbound = parse_api_ticket(inbox.pk, data)
    inbound.meta["agent_id"] = agent.pk
    result = ingest(inbound)
    return Status(200 if result.duplicate else 201, conversation(agent, result.ticket_id))


def _external_id(from_body: str | None, from_header: str | None) -> str:
    header = (from_header or "").strip()
    if len(header) > 255:
        raise ValidationFailed(
            _("The Idempotency-Key header is too long (at most 255 characters)."),
            code="invalid_idempotency_key",
        )
    if from_body and header and from_body != header:
        raise ValidationFailed(
            _("external_id and the Idempotency-Key header differ."),
            code="invalid_idempotency_key",
        )
    return from_body or header


@router.get("/tickets/{ticket_id}", response={200: TicketDetailOut, READ_ERRORS: ErrorOut})
def get_ticket(request: HttpRequest, ticket_id: PathId) -> Composite:
    """A ticket with its messages (attachment metadata included) and timeline."""
    return conversation(current_agent(request), ticket_id)


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, WRITE_ERRORS: ErrorOut})
def update_ticket(request: HttpRequest, ticket_id: PathId, payload: TicketUpdateIn) -> Ticket:
    """Change status, priority, assignee, team, tags or subject; each change is on the timeline."""
    changes = payload.model_dump(mode="json", exclude_unset=True)
    ticket = do_update_ticket(current_agent(request), ticket_id, changes)
    return load_ticket(ticket.pk)
