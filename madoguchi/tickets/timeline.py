"""Writing the ticket timeline: one row per change."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from madoguchi.accounts.models import Agent

from .models import AuthorKind, Ticket, TimelineEvent


def record(
    ticket: Ticket,
    kind: str,
    *,
    agent: Agent | None = None,
    actor_kind: str | None = None,
    field: str = "",
    old: object = "",
    new: object = "",
    at: datetime | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        ticket=ticket,
        actor_kind=actor_kind or (AuthorKind.AGENT if agent else AuthorKind.SYSTEM),
        actor_agent=agent,
        kind=kind,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        created_at=at or timezone.now(),
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value)[:250]
