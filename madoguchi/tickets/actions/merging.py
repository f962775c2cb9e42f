"""Merging tickets: messages move to the target, the source points to it and is closed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import Conflict, ValidationFailed
from madoguchi.core.events import TicketMerged, emit_on_commit

from .. import timeline
from ..access import get_ticket_for_write
from ..indexing import reindex_ticket
from ..models import Message, Status, Ticket


@transaction.atomic
def do_merge_tickets(agent: Agent, source_id: int, target_id: int) -> Ticket:
    require(agent, Capability.MERGE_TICKETS)
    if source_id == target_id:
        raise ValidationFailed(_("A ticket cannot be merged into itself."), code="merge_self")
    # Lock in id order so two opposite merges cannot deadlock.
    first, second = sorted([source_id, target_id])
    locked = {
        first: get_ticket_for_write(agent, first),
        second: get_ticket_for_write(agent, second),
    }
    source, target = locked[source_id], locked[target_id]
    if source.merged_into_id or target.merged_into_id:
        raise Conflict(_("One of these tickets was already merged."), code="already_merged")
    now = timezone.now()
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    target.tags.add(*source.tags.all())
    target.message_count = Message.objects.filter(ticket=target).count()
    target.updated_at = now
    for field in ("last_customer_message_at", "last_agent_message_at"):
        values = [v for v in (getattr(source, field), getattr(target, field)) if v]
        setattr(target, field, max(values) if values else None)
    if source.first_response_at and (
        not target.first_response_at or source.first_response_at < target.first_response_at
    ):
        target.first_response_at = source.first_response_at
    target.save()
    old_status = source.status
    source.merged_into = target
    source.status = Status.CLOSED
    source.message_count = 0
    source.updated_at = now
    source.save(update_fields=["merged_into", "status", "message_count", "updated_at"])
    timeline.record(
        source, "merged", agent=agent, field="merged_into", new=f"#{target.number}", at=now
    )
    timeline.record(
        source, "status", agent=agent, field="status", old=old_status, new=Status.CLOSED, at=now
    )
    timeline.record(
        target,
        "merged_in",
        agent=agent,
        field="messages",
        old=f"#{source.number}",
        new=str(moved),
        at=now,
    )
    reindex_ticket(target)
    reindex_ticket(source)
    emit_on_commit(TicketMerged(source_id=source.pk, target_id=target.pk))
    return target
