"""Settling the outbox of seeded history.

`do_reply` writes every email-routable reply as a Message plus an Outbox row, exactly as in
production. The demo's history, however, happened in the past: those mails "went out" weeks
ago and must not be sent now (a fresh demo would otherwise flood the mail catcher with a
thousand mails dated today). So after replying, the seed marks the ticket's outbox rows as
already sent at the time of their message, with the delivery state "sent" on the message.

A few recent replies are instead left as dead letters with the errors real SMTP servers give
(unknown mailbox, full mailbox, unreachable server), so the dead-letter view and its Retry
button have something to show. `quiet_delivery()` keeps the seed from queueing a delivery
task for each of these rows while it runs; nothing else about delivery is changed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from madoguchi.core.events import OutboxQueued, subscribe, unsubscribe
from madoguchi.inboxes.delivery import on_outbox_queued
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.tickets.models import Delivery, Message

# (error text, kind, attempts): what the SMTP connector records for such failures.
DEAD_LETTER_ERRORS = (
    ("recipient refused: [550]", "permanent", 1),
    ("SMTP 552: b'5.2.2 <{to}>: Recipient address rejected: Mailbox full'", "permanent", 1),
    (
        "SMTP 550: b'5.1.1 <{to}>: Recipient address rejected:"
        " User unknown in virtual mailbox table'",
        "permanent",
        1,
    ),
    ("SMTP server unreachable: [Errno 111] Connection refused", "retryable", None),
)


@contextmanager
def quiet_delivery() -> Iterator[None]:
    """While seeding history, do not enqueue delivery tasks for replies written in the past."""
    unsubscribe(OutboxQueued, on_outbox_queued)  # type: ignore[arg-type]
    try:
        yield
    finally:
        subscribe(OutboxQueued, on_outbox_queued)  # type: ignore[arg-type]


def settle_as_sent(message_ids: list[int]) -> int:
    """Mark the outbox rows of these (past) replies as delivered when they were written.

    One UPDATE with a subquery for the message's time (a queryset update does not run
    auto_now, so the past timestamps stay as set).
    """
    written = Subquery(Message.objects.filter(pk=OuterRef("message_id")).values("created_at")[:1])
    rows = Outbox.objects.filter(message_id__in=message_ids, state=OutboxState.PENDING)
    settled = list(rows.values_list("message_id", flat=True))
    rows.update(
        state=OutboxState.SENT,
        attempts=1,
        created_at=written,
        sent_at=written,
        updated_at=written,
        provider_message_id=Concat(
            Value("<history."), Cast("message_id", CharField()), Value("@madoguchi.localhost>")
        ),
    )
    Message.objects.filter(pk__in=settled).update(delivery=Delivery.SENT)
    return len(settled)


def settle_as_dead(message_id: int, rng: random.Random, now: datetime) -> bool:
    """Leave one recent reply as a dead letter with a realistic SMTP error."""
    row = Outbox.objects.filter(message_id=message_id, state=OutboxState.PENDING).first()
    if row is None:
        return False
    message = Message.objects.get(pk=message_id)
    error, kind, attempts = rng.choice(DEAD_LETTER_ERRORS)
    to = message.meta.get("route", {}).get("to", "")
    # A queryset update: save() would stamp updated_at with the current time (auto_now).
    Outbox.objects.filter(pk=row.pk).update(
        state=OutboxState.DEAD,
        attempts=attempts or settings.OUTBOX_MAX_ATTEMPTS,
        last_error=error.format(to=to),
        last_error_kind=kind,
        created_at=message.created_at,
        updated_at=min(message.created_at + timedelta(minutes=rng.uniform(1, 90)), now),
    )
    Message.objects.filter(pk=message_id).update(delivery=Delivery.FAILED)
    return True
