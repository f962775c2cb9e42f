"""Reads for the console (and later the API): the unread badge and the notification list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from madoguchi.accounts.models import Agent
from madoguchi.tickets.access import scope_q

from .models import Notification
from .notifications import describe, excerpt

# The badge counts up to this and then reads "99+"; counting stops there, so it stays cheap.
UNREAD_CAP = 99
PAGE_SIZE = 30


def own_notifications(agent: Agent) -> QuerySet[Notification]:
    """The agent's notifications on tickets they can still see."""
    return Notification.objects.filter(scope_q(agent, prefix="ticket__"), recipient=agent)


def unread_count(agent: Agent) -> int:
    """Unread notifications, counted up to UNREAD_CAP + 1 (one indexed query)."""
    ids = own_notifications(agent).filter(read_at__isnull=True).order_by("-id")
    return len(ids.values_list("pk", flat=True)[: UNREAD_CAP + 1])


def count_label(count: int) -> str:
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


@dataclass
class NotificationPage:
    items: list[Notification]
    next_before: int | None


def notification_page(
    agent: Agent, *, before: int | None = None, unread_only: bool = False, limit: int = PAGE_SIZE
) -> NotificationPage:
    """Newest first, keyset on id; one query. Each item gets `text` and `excerpt`."""
    qs = own_notifications(agent)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    items = list(
        qs.select_related("ticket", "ticket__customer", "actor", "message")
        .only(
            "id",
            "kind",
            "created_at",
            "read_at",
            "recipient_id",
            "ticket__id",
            "ticket__number",
            "ticket__subject",
            "ticket__customer__id",
            "ticket__customer__name",
            "actor__id",
            "actor__display_name",
            "message__id",
            "message__body_text",
        )
        .order_by("-id")[: limit + 1]
    )
    more = len(items) > limit
    items = items[:limit]
    for item in items:
        item.text = describe(item)  # type: ignore[attr-defined]
        item.excerpt = excerpt(item)  # type: ignore[attr-defined]
    return NotificationPage(items=items, next_before=items[-1].pk if more and items else None)
