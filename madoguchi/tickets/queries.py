"""Reads shared by the console and the API: filtered ticket lists with keyset pagination."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import ValidationFailed
from madoguchi.search.index import document_condition, match
from madoguchi.search.models import DocumentKind

from .access import get_visible_ticket, visible_tickets
from .models import UNSOLVED, Message, Status, Ticket

MAX_PAGE = 100
SEARCH_CANDIDATES = 2000

# The console's standard views; the API accepts the same names as `view=`.
VIEWS = {
    "unassigned": _("Unassigned"),
    "mine": _("Mine"),
    "team": _("My teams"),
    "unsolved": _("All unsolved"),
    "pending": _("Pending"),
    "solved": _("Solved"),
    "spam": _("Spam"),
}
ORDERS = ("newest", "oldest")


@dataclass
class TicketFilter:
    view: str = ""
    status: list[str] = field(default_factory=list)
    inbox_id: int | None = None
    brand_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    tag: str = ""
    priority: str = ""
    channel: str = ""
    customer_id: int | None = None
    updated_since: datetime | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str = ""


@dataclass
class Page:
    items: list[Ticket]
    next_cursor: str | None


def _view_q(agent: Agent, view: str) -> Q:
    if view == "unassigned":
        return Q(assignee__isnull=True, status__in=UNSOLVED, is_spam=False)
    if view == "mine":
        return Q(assignee=agent, status__in=UNSOLVED, is_spam=False)
    if view == "team":
        return Q(team__in=agent.teams.all(), status__in=UNSOLVED, is_spam=False)
    if view == "unsolved":
        return Q(status__in=UNSOLVED, is_spam=False)
    if view == "pending":
        return Q(status__in=(Status.PENDING, Status.ON_HOLD), is_spam=False)
    if view == "solved":
        return Q(status__in=(Status.SOLVED, Status.CLOSED), is_spam=False, merged_into__isnull=True)
    if view == "spam":
        return Q(is_spam=True)
    raise ValidationFailed(_("Unknown view."), code="invalid_view", details=sorted(VIEWS))


def filtered_tickets(agent: Agent, flt: TicketFilter) -> QuerySet[Ticket]:
    qs = visible_tickets(agent)
    if flt.view:
        qs = qs.filter(_view_q(agent, flt.view))
    if flt.status:
        bad = set(flt.status) - set(Status.values)
        if bad:
            raise ValidationFailed(_("Unknown status."), code="invalid_status", details=sorted(bad))
        qs = qs.filter(status__in=flt.status)
    for name in ("inbox_id", "brand_id", "assignee_id", "team_id", "customer_id"):
        value = getattr(flt, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    if flt.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if flt.priority:
        qs = qs.filter(priority=flt.priority)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    if flt.tag:
        qs = qs.filter(tags__name=flt.tag)
    if flt.updated_since:
        qs = qs.filter(updated_at__gte=flt.updated_since)
    if flt.created_from:
        qs = qs.filter(created_at__gte=flt.created_from)
    if flt.created_to:
        qs = qs.filter(created_at__lt=flt.created_to)
    if flt.q.strip():
        condition = document_condition(DocumentKind.TICKET, flt.q)
        if condition is not None:
            return qs.filter(condition)
        ids = match(DocumentKind.TICKET, flt.q, limit=SEARCH_CANDIDATES)
        qs = qs.filter(pk__in=ids)
    return qs


def encode_cursor(ticket: Ticket) -> str:
    raw = json.dumps([ticket.updated_at.isoformat(), ticket.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk = json.loads(raw)
        when = parse_datetime(stamp)
        if when is None or not isinstance(pk, int):
            raise ValueError(cursor)
        return when, pk
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor") from exc


def ticket_page(
    agent: Agent, flt: TicketFilter, *, order: str = "newest", cursor: str = "", limit: int = 50
) -> Page:
    """One page, newest (or oldest) activity first; keyset on (updated_at, id) stays fast."""
    if order not in ORDERS:
        raise ValidationFailed(_("Unknown sort order."), code="invalid_order", details=list(ORDERS))
    limit = max(1, min(limit, MAX_PAGE))
    # Inbox credentials are secrets and never needed in a list: not loaded, not decrypted.
    qs = (
        filtered_tickets(agent, flt)
        .select_related("customer", "assignee", "inbox", "brand")
        .defer("inbox__credentials")
    )
    if cursor:
        when, pk = decode_cursor(cursor)
        # The plain range comes first: PostgreSQL cannot use the OR as an index bound, and
        # without it a page 100,000 rows down walks those rows (docs/performance.md, fix 1).
        if order == "newest":
            qs = qs.filter(updated_at__lte=when).filter(
                Q(updated_at__lt=when) | Q(updated_at=when, pk__lt=pk)
            )
        else:
            qs = qs.filter(updated_at__gte=when).filter(
                Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk)
            )
    qs = qs.order_by(*(["-updated_at", "-id"] if order == "newest" else ["updated_at", "id"]))
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items=items, next_cursor=encode_cursor(items[-1]) if more and items else None)


# Views count up to here and then say "1,000+": counting 900,000 solved tickets on every
# page load costs ~0.4 s at 1M tickets, and nobody reads the exact number.
COUNT_CAP = 1000


def view_counts(agent: Agent) -> dict[str, int]:
    """Live counts for the standard views, each capped at COUNT_CAP + 1 (a LIMITed count)."""
    base = visible_tickets(agent).order_by()
    return {name: base.filter(_view_q(agent, name))[: COUNT_CAP + 1].count() for name in VIEWS}


def count_label(count: int) -> str:
    """How a capped count reads: `1,000+` above the cap."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def ticket_with_conversation(agent: Agent, ticket_id: int) -> dict[str, Any]:
    """Everything the ticket page and `GET /tickets/{id}` show, in a fixed number of queries."""
    ticket = get_visible_ticket(agent, ticket_id)
    ticket = (
        Ticket.objects.select_related(
            "customer", "assignee", "team", "inbox", "brand", "merged_into"
        )
        .prefetch_related("tags")
        .get(pk=ticket.pk)
    )
    messages = list(
        Message.objects.filter(ticket=ticket)
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    timeline = list(ticket.timeline.select_related("actor_agent").order_by("created_at", "id"))
    return {"ticket": ticket, "messages": messages, "timeline": timeline}
