"""Changing many tickets at once from the inbox: all of them or none.

Each ticket goes through the same change and merge actions as on its own page, so the
timeline, search index and events are the same; one transaction makes the batch atomic.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import NotFound, ValidationFailed

from ..access import visible_tickets
from ..models import Ticket
from .changes import apply_changes, check_changes
from .merging import do_merge_tickets

MAX_BULK = 100
BULK_CHANGES = ("status", "priority", "assignee_id", "team_id", "add_tags", "remove_tags")


def check_ticket_ids(ticket_ids: Any, *, minimum: int = 1) -> list[int]:
    """A list of 1..MAX_BULK distinct ticket ids, in ascending order (the lock order)."""
    if not isinstance(ticket_ids, list | tuple) or not all(
        type(i) is int and i > 0 for i in ticket_ids
    ):
        raise ValidationFailed(_("Select tickets by their ids."), code="invalid_tickets")
    ids = sorted(set(ticket_ids))
    if len(ids) < minimum:
        raise ValidationFailed(
            _("Select at least %(n)d tickets.") % {"n": minimum}, code="too_few_tickets"
        )
    if len(ids) > MAX_BULK:
        raise ValidationFailed(
            _("Select at most %(n)d tickets at a time.") % {"n": MAX_BULK},
            code="too_many_tickets",
        )
    return ids


def _lock(agent: Agent, ids: list[int]) -> list[Ticket]:
    """The tickets, locked in id order; one that is missing or outside the agent's scope fails
    the whole batch (and is reported as not found, like on its own page)."""
    require(agent, Capability.WRITE)
    tickets = list(visible_tickets(agent).filter(pk__in=ids).select_for_update().order_by("pk"))
    if len(tickets) != len(ids):
        missing = sorted(set(ids) - {t.pk for t in tickets})
        raise NotFound(
            _("Some of the selected tickets were not found."),
            code="ticket_not_found",
            details=missing,
        )
    return tickets


@transaction.atomic
def do_bulk_update(agent: Agent, ticket_ids: Any, changes: dict[str, Any]) -> int:
    """Apply the same changes to every selected ticket; returns how many tickets changed."""
    ids = check_ticket_ids(ticket_ids)
    unknown = set(changes) - set(BULK_CHANGES)
    if unknown or not changes:
        raise ValidationFailed(
            _("Choose what to change."), code="invalid_changes", details=sorted(unknown)
        )
    clean = check_changes(changes)
    changed = 0
    for ticket in _lock(agent, ids):
        if apply_changes(agent, ticket, clean):
            changed += 1
    return changed


@transaction.atomic
def do_bulk_merge(agent: Agent, ticket_ids: Any, target_id: Any) -> Ticket:
    """Merge every other selected ticket into the chosen one (which must be selected too)."""
    require(agent, Capability.MERGE_TICKETS)
    ids = check_ticket_ids(ticket_ids, minimum=2)
    if type(target_id) is not int or target_id not in ids:
        raise ValidationFailed(
            _("Choose one of the selected tickets to merge into."), code="invalid_merge_target"
        )
    _lock(agent, ids)
    target = None
    for source_id in ids:
        if source_id != target_id:
            target = do_merge_tickets(agent, source_id, target_id)
    assert target is not None
    return target
