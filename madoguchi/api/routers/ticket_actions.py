"""Work on one ticket: reply or note, merge, apply a macro."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from madoguchi.tickets.actions import (
    do_apply_macro,
    do_merge_tickets,
    do_reply,
    do_update_ticket,
)
from madoguchi.tickets.models import Message, Ticket

from ..auth import current_agent
from ..schemas.common import WRITE_ERRORS, ErrorOut, PathId
from ..schemas.tickets import (
    MacroApplyIn,
    MacroResultOut,
    MessageOut,
    ReplyIn,
    TicketMergeIn,
    TicketOut,
)
from .tickets import load_ticket

router = Router(tags=["tickets"])


def load_message(message_id: int) -> Message:
    return (
        Message.objects.select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .get(pk=message_id)
    )


@router.post("/tickets/{ticket_id}/messages", response={201: MessageOut, WRITE_ERRORS: ErrorOut})
def add_message(request: HttpRequest, ticket_id: PathId, payload: ReplyIn) -> Status[Any]:
    """A public reply (queued for delivery) or an internal note (`internal: true`).

    Send `expected_last_message_id` to be told (409 `stale_ticket`) when the customer wrote
    again since you read the ticket. Email replies may choose `to` (one of the customer's
    addresses), add `cc` and change the `subject`; on other channels, and on notes, `to` and
    `cc` are refused (422 `recipients_not_mail`). Plain-text channels limit the length of a
    reply (422 `reply_too_long`, `details.limit`).
    """
    agent = current_agent(request)
    status = payload.status.value if payload.status else ""
    with transaction.atomic():
        message = do_reply(
            agent,
            ticket_id,
            payload.body,
            internal=payload.internal,
            expected_last_message_id=payload.expected_last_message_id,
            set_status="" if payload.internal else status,
            to=payload.to,
            cc=payload.cc,
            subject=payload.subject,
        )
        if payload.internal and status:
            do_update_ticket(agent, ticket_id, {"status": status})
    return Status(201, load_message(message.pk))


@router.post("/tickets/{ticket_id}/merge", response={200: TicketOut, WRITE_ERRORS: ErrorOut})
def merge_ticket(request: HttpRequest, ticket_id: PathId, payload: TicketMergeIn) -> Ticket:
    """Move this ticket's messages into `into`; this ticket is closed and points there."""
    target = do_merge_tickets(current_agent(request), ticket_id, payload.into)
    return load_ticket(target.pk)


@router.post(
    "/tickets/{ticket_id}/macros/{macro_id}",
    response={200: MacroResultOut, WRITE_ERRORS: ErrorOut},
)
def apply_macro(
    request: HttpRequest, ticket_id: PathId, macro_id: PathId, payload: MacroApplyIn | None = None
) -> dict[str, Any]:
    """Reply with the macro's text (variables filled in) and apply its field changes.

    The body is optional: `send: false` applies only the field changes, `body` replaces the
    rendered text with your edit. With `expected_last_message_id` the reply is refused
    (409 `stale_ticket`, nothing changed) when the customer wrote again since you read the
    ticket; the guard protects the reply, so it does not apply with `send: false`.
    """
    options = payload or MacroApplyIn()
    message = do_apply_macro(
        current_agent(request),
        ticket_id,
        macro_id,
        send=options.send,
        body=options.body,
        expected_last_message_id=options.expected_last_message_id,
    )
    return {
        "ticket": load_ticket(ticket_id),
        "message": load_message(message.pk) if message else None,
    }
