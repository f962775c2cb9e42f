"""Changing ticket fields (status, priority, assignee, team, tags), each change on the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent, Team
from madoguchi.accounts.permissions import Capability, can
from madoguchi.core.errors import ValidationFailed
from madoguchi.core.events import TicketUpdated, emit_on_commit

from .. import timeline
from ..access import get_ticket_for_write
from ..indexing import reindex_ticket
from ..models import Priority, Status, Tag, Ticket

CHANGEABLE = (
    "subject",
    "status",
    "priority",
    "assignee_id",
    "team_id",
    "tags",
    "add_tags",
    "remove_tags",
)


def _clean_tags(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise ValidationFailed(_("Tags must be a list of text."), code="invalid_tags")
    tags = [t.strip()[:64] for t in value if t.strip()]
    return list(dict.fromkeys(tags))


def check_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed."), code="unknown_fields", details=sorted(unknown)
        )
    clean = dict(changes)
    if "status" in clean and clean["status"] not in Status.values:
        raise ValidationFailed(_("Unknown status."), code="invalid_status", details=Status.values)
    if "priority" in clean and clean["priority"] not in Priority.values:
        raise ValidationFailed(
            _("Unknown priority."), code="invalid_priority", details=Priority.values
        )
    for key in ("assignee_id", "team_id"):
        value = clean.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationFailed(
                _("%(field)s must be a number or null.") % {"field": key},
                code=f"invalid_{key.removesuffix('_id')}",
            )
    if clean.get("assignee_id") is not None:
        assignee = (
            Agent.objects.select_related("user")
            .filter(pk=clean["assignee_id"], user__is_active=True)
            .first()
        )
        if assignee is None or not can(assignee, Capability.WRITE):
            raise ValidationFailed(_("No such agent."), code="invalid_assignee")
    if clean.get("team_id") is not None:
        if not Team.objects.filter(pk=clean["team_id"]).exists():
            raise ValidationFailed(_("No such team."), code="invalid_team")
    if "subject" in clean:
        if not isinstance(clean["subject"], str):
            raise ValidationFailed(_("The subject must be text."), code="invalid_subject")
        clean["subject"] = clean["subject"].strip()
        if len(clean["subject"]) > 250:
            raise ValidationFailed(_("The subject is too long."), code="invalid_subject")
    for key in ("tags", "add_tags", "remove_tags"):
        if key in clean:
            clean[key] = _clean_tags(clean[key])
    return clean


def apply_changes(
    agent: Agent | None, ticket: Ticket, changes: dict[str, Any], *, at: datetime | None = None
) -> dict[str, tuple[str, str]]:
    """Apply already-checked changes; writes timeline rows; returns {field: (old, new)}."""
    now = at or timezone.now()
    done: dict[str, tuple[str, str]] = {}
    fields: list[str] = []
    for field in ("subject", "status", "priority", "assignee_id", "team_id"):
        if field not in changes:
            continue
        old, new = getattr(ticket, field), changes[field]
        if old == new:
            continue
        setattr(ticket, field, new)
        fields.append(field)
        name = field.removesuffix("_id")
        done[name] = (str(old or ""), str(new or ""))
        timeline.record(ticket, name, agent=agent, field=name, old=old, new=new, at=now)
    if "status" in fields:
        if ticket.status == Status.SOLVED:
            ticket.solved_at = now
            fields.append("solved_at")
        elif ticket.status != Status.CLOSED and ticket.solved_at:
            ticket.solved_at = None
            fields.append("solved_at")
    current = set(ticket.tags.values_list("name", flat=True))
    wanted = set(current)
    if "tags" in changes:
        wanted = set(changes["tags"])
    wanted |= set(changes.get("add_tags", []))
    wanted -= set(changes.get("remove_tags", []))
    if wanted != current:
        added, removed = sorted(wanted - current), sorted(current - wanted)
        if added:
            ticket.tags.add(*[Tag.objects.get_or_create(name=n)[0] for n in added])
        if removed:
            ticket.tags.remove(*Tag.objects.filter(name__in=removed))
        done["tags"] = (", ".join(sorted(current)), ", ".join(sorted(wanted)))
        timeline.record(
            ticket,
            "tags",
            agent=agent,
            field="tags",
            old=done["tags"][0],
            new=done["tags"][1],
            at=now,
        )
    if fields or "tags" in done:
        ticket.updated_at = now
        ticket.save(update_fields=[*fields, "updated_at"])
        if "subject" in fields:
            reindex_ticket(ticket)
        emit_on_commit(
            TicketUpdated(
                ticket_id=ticket.pk, changes=done, actor_agent_id=agent.pk if agent else None
            )
        )
    return done


@transaction.atomic
def do_update_ticket(agent: Agent, ticket_id: int, changes: dict[str, Any]) -> Ticket:
    ticket = get_ticket_for_write(agent, ticket_id)
    clean = check_changes(changes)
    apply_changes(agent, ticket, clean)
    return ticket


@transaction.atomic
def do_mark_spam(agent: Agent, ticket_id: int, spam: bool = True) -> Ticket:
    ticket = get_ticket_for_write(agent, ticket_id)
    if ticket.is_spam != spam:
        ticket.is_spam = spam
        ticket.updated_at = timezone.now()
        ticket.save(update_fields=["is_spam", "updated_at"])
        timeline.record(ticket, "spam", agent=agent, field="is_spam", old=not spam, new=spam)
        if spam and ticket.status not in (Status.SOLVED, Status.CLOSED):
            apply_changes(agent, ticket, {"status": Status.CLOSED})
        emit_on_commit(
            TicketUpdated(
                ticket_id=ticket.pk,
                changes={"is_spam": (str(not spam), str(spam))},
                actor_agent_id=agent.pk,
            )
        )
    return ticket
