"""Domain events → channel-layer groups, so open consoles learn that something changed.

Payloads carry ids only (ticket id and number, inbox id, what happened), never customer
content: a console that hears of a change re-fetches through the normal permission-checked
HTTP views. A ticket event goes to `inbox.<inbox_id>` (agents who see the whole inbox),
`team.<team_id>` (outsourced agents who see the ticket through their team) and
`ticket.<id>` (agents who have the ticket open). A realtime failure never breaks the action:
`core.events.dispatch` already isolates subscribers and this module logs and swallows
channel-layer errors too.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from madoguchi.core.events import (
    Event,
    MessageAdded,
    MessageReceived,
    NotificationCreated,
    TicketCreated,
    TicketMerged,
    TicketUpdated,
    subscribe,
    unsubscribe,
)

from .groups import agent_group, inbox_group, team_group, ticket_group

logger = logging.getLogger(__name__)

# The consumer method that relays a ticket event (channels maps "ticket.event" → ticket_event).
TICKET_EVENT = "ticket.event"
NOTIFICATION_EVENT = "agent.notification"
_pending: set[asyncio.Task[None]] = set()
_serving_loop: asyncio.AbstractEventLoop | None = None


def serve_from(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the web server's event loop (the consumers call this when a socket opens).

    The in-memory channel layer is bound to that loop: a group_send from another thread must
    be handed to it, not run on a fresh loop of its own.
    """
    global _serving_loop
    _serving_loop = loop


def _send(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        for group in groups:
            try:
                await layer.group_send(group, message)
            except Exception:
                logger.exception("realtime: group_send to %s failed", group)

    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        # Emitted from async code (a consumer): async_to_sync would refuse, so schedule it.
        task = running.create_task(send_all())
        _pending.add(task)
        task.add_done_callback(_pending.discard)
    elif _serving_loop is not None and _serving_loop.is_running():
        # A request thread of this server: hand it over, the action need not wait for it.
        asyncio.run_coroutine_threadsafe(send_all(), _serving_loop)
    else:
        # No server here (the worker, a command): a layer shared between processes (redis).
        async_to_sync(send_all)()


def publish_ticket(ticket_id: int, kind: str, *, message_id: int | None = None) -> None:
    """Tell everyone who may see the ticket that it changed; one indexed lookup, no content."""
    from madoguchi.tickets.models import Ticket

    row = Ticket.objects.filter(pk=ticket_id).values("number", "inbox_id", "team_id").first()
    if row is None:
        return
    payload: dict[str, Any] = {
        "type": TICKET_EVENT,
        "event_id": uuid.uuid4().hex,
        "kind": kind,
        "ticket_id": ticket_id,
        "number": row["number"],
        "inbox_id": row["inbox_id"],
    }
    if message_id is not None:
        payload["message_id"] = message_id
    groups = [inbox_group(row["inbox_id"]), ticket_group(ticket_id)]
    if row["team_id"]:
        groups.append(team_group(row["team_id"]))
    _send(groups, payload)


def on_ticket_created(event: Event) -> None:
    assert isinstance(event, TicketCreated)
    publish_ticket(event.ticket_id, "ticket_created")


def on_message_received(event: Event) -> None:
    assert isinstance(event, MessageReceived)
    publish_ticket(event.ticket_id, "message_received", message_id=event.message_id)


def on_message_added(event: Event) -> None:
    assert isinstance(event, MessageAdded)
    publish_ticket(event.ticket_id, "message_added", message_id=event.message_id)


def on_ticket_updated(event: Event) -> None:
    assert isinstance(event, TicketUpdated)
    publish_ticket(event.ticket_id, "ticket_updated")


def on_ticket_merged(event: Event) -> None:
    assert isinstance(event, TicketMerged)
    publish_ticket(event.source_id, "ticket_merged")
    publish_ticket(event.target_id, "ticket_updated")


def on_notification_created(event: Event) -> None:
    assert isinstance(event, NotificationCreated)
    _send(
        [agent_group(event.agent_id)],
        {
            "type": NOTIFICATION_EVENT,
            "event_id": uuid.uuid4().hex,
            "kind": "notification",
            "notification_id": event.notification_id,
        },
    )


SUBSCRIPTIONS: tuple[tuple[type[Event], Any], ...] = (
    (TicketCreated, on_ticket_created),
    (MessageReceived, on_message_received),
    (MessageAdded, on_message_added),
    (TicketUpdated, on_ticket_updated),
    (TicketMerged, on_ticket_merged),
    (NotificationCreated, on_notification_created),
)


def connect() -> None:
    """Subscribe the fan-out (idempotent; called from the app's ready())."""
    for event_type, handler in SUBSCRIPTIONS:
        subscribe(event_type, handler)


def disconnect() -> None:
    for event_type, handler in SUBSCRIPTIONS:
        unsubscribe(event_type, handler)
