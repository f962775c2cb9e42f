"""Typed domain events, emitted after the transaction commits.

Every event a module can emit is listed here so subscribers (automation, SLA, realtime,
webhooks) have one place to look.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    pass


@dataclass(frozen=True)
class TicketCreated(Event):
    ticket_id: int
    channel: str


@dataclass(frozen=True)
class TicketUpdated(Event):
    ticket_id: int
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    actor_agent_id: int | None = None  # None: the system (automation, ingest)


@dataclass(frozen=True)
class TicketMerged(Event):
    source_id: int
    target_id: int


@dataclass(frozen=True)
class MessageReceived(Event):
    ticket_id: int
    message_id: int
    reopened: bool = False


@dataclass(frozen=True)
class MessageAdded(Event):
    """An agent, bot or system wrote a reply or an internal note."""

    ticket_id: int
    message_id: int
    internal: bool
    author_agent_id: int | None = None
    # Agents named with `@` in an internal note (tickets.mentions); they get a notification.
    mentions: tuple[int, ...] = ()


@dataclass(frozen=True)
class MessageDelivered(Event):
    message_id: int


@dataclass(frozen=True)
class MessageDeadLettered(Event):
    message_id: int
    error: str


@dataclass(frozen=True)
class NotificationCreated(Event):
    """An agent has a new in-app notification (mention, assignment, reply on their ticket)."""

    notification_id: int
    agent_id: int


@dataclass(frozen=True)
class CustomerMerged(Event):
    source_id: int
    target_id: int


Handler = Callable[[Event], None]
_handlers: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[Event], handler: Handler) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def dispatch(event: Event) -> None:
    """Run subscribers now; one failing subscriber must not stop the others."""
    for handler in list(_handlers[type(event)]):
        try:
            handler(event)
        except Exception:
            logger.exception("event handler %r failed for %r", handler, event)


def emit_on_commit(event: Event) -> None:
    transaction.on_commit(lambda: dispatch(event))


@dataclass(frozen=True)
class OutboxQueued(Event):
    """A reply waits in the outbox; the delivery worker picks it up."""

    outbox_id: int
