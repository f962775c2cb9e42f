"""Delivering the outbox: claim, send through the connector, then record the outcome.

At-least-once: a worker that dies after the provider accepted but before recording it will
send again when its claim expires; connectors pass the outbox's idempotency key on (SMTP
uses it for the Message-ID) so providers and mail clients can drop the repeat.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.connectors import registry
from madoguchi.connectors.base import DeliveryError
from madoguchi.core.errors import Conflict, NotFound
from madoguchi.core.events import (
    Event,
    MessageDeadLettered,
    MessageDelivered,
    OutboxQueued,
    emit_on_commit,
)
from madoguchi.tickets.access import get_ticket_for_write
from madoguchi.tickets.models import Delivery, Message

from .messages import OutboundAttachment, OutboundMessage
from .models import Inbox, Outbox, OutboxState

logger = logging.getLogger(__name__)
CLAIM_SECONDS = 300
# A pending row older than this without a worker touching it was orphaned (crash before enqueue).
ORPHAN_SECONDS = 30
# Earlier messages of the thread a reply refers to (email References).
MAX_REFERENCES = 20


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with ±20 % jitter: 30 s, 60 s, 120 s … capped at 6 h."""
    base = settings.OUTBOX_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    return min(base, 6 * 3600) * random.uniform(0.8, 1.2)


def _claim(outbox_id: int) -> Outbox | None:
    now = timezone.now()
    with transaction.atomic():
        outbox = Outbox.objects.select_for_update().filter(pk=outbox_id).first()
        if outbox is None or outbox.state in (OutboxState.SENT, OutboxState.DEAD):
            return None
        if (
            outbox.state == OutboxState.SENDING
            and outbox.locked_until
            and outbox.locked_until > now
        ):
            return None
        if outbox.next_attempt_at and outbox.next_attempt_at > now:
            return None
        outbox.state = OutboxState.SENDING
        outbox.attempts += 1
        outbox.locked_until = now + timedelta(seconds=CLAIM_SECONDS)
        outbox.save(update_fields=["state", "attempts", "locked_until", "updated_at"])
        return outbox


def outbound_for(outbox: Outbox) -> OutboundMessage:
    message = Message.objects.select_related("ticket", "ticket__customer", "author_agent").get(
        pk=outbox.message_id
    )
    inbox = Inbox.objects.select_related("brand").get(pk=outbox.inbox_id)
    route = message.meta.get("route", {})
    earlier_public = Message.objects.filter(
        ticket_id=message.ticket_id, pk__lt=message.pk, is_internal=False
    )
    # The thread so far, oldest first: provider ids of earlier public messages (threading).
    earlier = list(
        earlier_public.exclude(external_id="")
        .order_by("-pk")
        .values_list("external_id", flat=True)[:MAX_REFERENCES]
    )[::-1]
    inbox_settings = dict(inbox.settings or {})
    agent = message.author_agent
    signature = (agent.signature if agent else "") or str(inbox_settings.get("signature") or "")
    return OutboundMessage(
        outbox_id=outbox.pk,
        idempotency_key=str(outbox.idempotency_key),
        inbox_id=inbox.pk,
        inbox_kind=inbox.kind,
        inbox_address=inbox.address,
        inbox_name=inbox.brand.name,
        transport=route.get("transport", inbox.kind),
        to=route.get("to", ""),
        to_name=message.ticket.customer.name,
        subject=message.subject or message.ticket.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        ticket_number=message.ticket.number,
        message_id=message.pk,
        in_reply_to=earlier[-1] if earlier else "",
        attachments=tuple(
            OutboundAttachment(a.filename, a.content_type, a.file.name or "")
            for a in message.attachments.all()
        ),
        settings=inbox_settings,
        credentials=cast(dict[str, Any], inbox.credentials),
        references=tuple(earlier),
        cc=tuple(route.get("cc", ())),
        bcc=tuple(route.get("bcc", ())),
        ticket_id=message.ticket_id,
        automatic=bool(message.meta.get("automatic")),
        signature=signature,
        # A receipt has a subject of its own (受付完了): no "Re:" in front of it.
        replying=not message.meta.get("automatic") and earlier_public.exists(),
    )


def deliver(outbox_id: int) -> str:
    """One delivery attempt. Safe to call twice: a claimed, sent or dead row is left alone."""
    outbox = _claim(outbox_id)
    if outbox is None:
        return "skipped"
    try:
        outbound = outbound_for(outbox)
        result = registry.get(outbound.transport).send(outbound)
    except DeliveryError as exc:
        return _failed(outbox, str(exc), retryable=exc.retryable)
    except Exception as exc:  # a bug or an unexpected library error: retry, keep the trace
        logger.exception("outbox %s: unexpected delivery error", outbox.pk)
        return _failed(outbox, f"{type(exc).__name__}: {exc}", retryable=True)
    with transaction.atomic():
        Outbox.objects.filter(pk=outbox.pk).update(
            state=OutboxState.SENT,
            sent_at=timezone.now(),
            provider_message_id=result.provider_message_id[:255],
            locked_until=None,
            next_attempt_at=None,
            last_error="",
            last_error_kind="",
            updated_at=timezone.now(),
        )
        Message.objects.filter(pk=outbox.message_id).update(delivery=Delivery.SENT)
        _remember_provider_id(outbox.message_id, result.provider_message_id)
        emit_on_commit(MessageDelivered(message_id=outbox.message_id))
    return "sent"


def _remember_provider_id(message_id: int, provider_id: str) -> None:
    """The provider's id becomes the message's external id, so the customer's answer threads
    onto it and our own mail coming back in is recognised as already stored."""
    if not provider_id or len(provider_id) > 255:
        return
    try:
        with transaction.atomic():
            Message.objects.filter(pk=message_id, external_id="").update(external_id=provider_id)
    except IntegrityError:
        logger.warning(
            "message %s: provider id %s already used in its inbox", message_id, provider_id
        )


def _failed(outbox: Outbox, error: str, *, retryable: bool) -> str:
    error = error[:2000]
    exhausted = outbox.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    now = timezone.now()
    with transaction.atomic():
        if retryable and not exhausted:
            when = now + timedelta(seconds=backoff_seconds(outbox.attempts))
            Outbox.objects.filter(pk=outbox.pk).update(
                state=OutboxState.RETRYING,
                next_attempt_at=when,
                locked_until=None,
                last_error=error,
                last_error_kind="retryable",
                updated_at=now,
            )
            Message.objects.filter(pk=outbox.message_id).update(delivery=Delivery.RETRYING)
            transaction.on_commit(lambda: schedule(outbox.pk, when), robust=True)
            logger.warning(
                "outbox %s: attempt %s failed, retry at %s", outbox.pk, outbox.attempts, when
            )
            return "retrying"
        Outbox.objects.filter(pk=outbox.pk).update(
            state=OutboxState.DEAD,
            locked_until=None,
            next_attempt_at=None,
            last_error=error,
            last_error_kind="retryable" if retryable else "permanent",
            updated_at=now,
        )
        Message.objects.filter(pk=outbox.message_id).update(delivery=Delivery.FAILED)
        emit_on_commit(MessageDeadLettered(message_id=outbox.message_id, error=error))
    logger.error("outbox %s: dead letter after %s attempts: %s", outbox.pk, outbox.attempts, error)
    return "dead"


def schedule(outbox_id: int, when: datetime | None = None) -> bool:
    """Hand the row to the task worker (now, or at `when` for a retry).

    A queue that cannot take the task is logged, not raised: the row stays due in the outbox
    and the worker's sweep() delivers it.
    """
    from .tasks import deliver_outbox

    task = deliver_outbox.using(run_after=when) if when else deliver_outbox
    try:
        task.enqueue(outbox_id)
    except Exception:
        logger.exception(
            "outbox %s: could not enqueue delivery; the sweep will pick it up", outbox_id
        )
        return False
    return True


def on_outbox_queued(event: Event) -> None:
    if isinstance(event, OutboxQueued):
        schedule(event.outbox_id)


def due_outbox_ids(limit: int = 200) -> list[int]:
    """Rows a worker should look at: orphaned pending rows, due retries, expired claims."""
    now = timezone.now()
    return list(
        Outbox.objects.filter(
            Q(state=OutboxState.PENDING, created_at__lte=now - timedelta(seconds=ORPHAN_SECONDS))
            | Q(state=OutboxState.RETRYING, next_attempt_at__lte=now)
            | Q(state=OutboxState.SENDING, locked_until__lte=now)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def sweep() -> int:
    """Deliver what fell through the cracks; the worker runs this every few seconds."""
    ids = due_outbox_ids()
    for outbox_id in ids:
        deliver(outbox_id)
    return len(ids)


@transaction.atomic
def do_retry_dead_letter(agent: Agent, outbox_id: int) -> Outbox:
    """An agent sends a dead letter again (after fixing the address or the server)."""
    require(agent, Capability.WRITE)
    outbox = Outbox.objects.select_for_update().filter(pk=outbox_id).first()
    if outbox is None:
        raise NotFound(_("Outbox entry not found."), code="outbox_not_found")
    message = Message.objects.get(pk=outbox.message_id)
    get_ticket_for_write(agent, message.ticket_id)
    if outbox.state != OutboxState.DEAD:
        raise Conflict(_("Only failed messages can be retried."), code="not_dead_letter")
    outbox.state = OutboxState.PENDING
    outbox.attempts = 0
    outbox.next_attempt_at = None
    outbox.locked_until = None
    outbox.save(
        update_fields=["state", "attempts", "next_attempt_at", "locked_until", "updated_at"]
    )
    Message.objects.filter(pk=message.pk).update(delivery=Delivery.QUEUED)
    emit_on_commit(OutboxQueued(outbox_id=outbox.pk))
    return outbox
