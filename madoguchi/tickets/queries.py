"""Reads shared by the console and the API: filtered ticket lists with keyset pagination."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, DateTimeField, F, Func, Q, QuerySet, Value
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import ValidationFailed
from madoguchi.search.index import document_condition, match
from madoguchi.search.models import DocumentKind

from .access import get_visible_ticket, visible_tickets
from .models import (
    PRIORITY_RANKS,
    UNSOLVED,
    Message,
    SavedView,
    Status,
    Ticket,
    priority_rank,
    waiting_since,
)

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
# Sort orders of a ticket list; each walks one index (tickets.models, Ticket.Meta.indexes).
ORDER_LABELS = {
    "newest": _("Newest activity first"),
    "oldest": _("Oldest activity first"),
    "waiting": _("Longest waiting first"),
    "priority": _("Priority, then longest waiting"),
}
ORDERS = tuple(ORDER_LABELS)


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


def _sort_key(ticket: Ticket, order: str) -> list[Any]:
    """The values a page's last ticket has in the order's key, as the cursor stores them."""
    if order in ("newest", "oldest"):
        return [ticket.updated_at.isoformat(), ticket.pk]
    waited = (ticket.last_customer_message_at or ticket.created_at).isoformat()
    if order == "waiting":
        return [waited, ticket.pk]
    rank = PRIORITY_RANKS.get(ticket.priority, len(PRIORITY_RANKS))  # type: ignore[call-overload]
    return [rank, waited, ticket.pk]


def pack_cursor(values: list[Any]) -> str:
    """A keyset position as an opaque, URL-safe token; `decode_cursor` reads it back."""
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_cursor(ticket: Ticket, order: str = "newest") -> str:
    return pack_cursor(_sort_key(ticket, order))


def decode_cursor(cursor: str, order: str = "newest") -> tuple[Any, ...]:
    """(datetime, id) — or (rank, datetime, id) for the priority order; 422 when malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list):
            raise ValueError(cursor)
        rank: list[int] = []
        if order == "priority":
            if len(values) != 3 or type(values[0]) is not int:
                raise ValueError(cursor)
            rank = [values.pop(0)]
        if len(values) != 2:
            raise ValueError(cursor)
        stamp, pk = values
        when = parse_datetime(stamp) if isinstance(stamp, str) else None
        if when is None or type(pk) is not int:
            raise ValueError(cursor)
        return (*rank, when, pk)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor") from exc


class _RowAfter(Func):
    """`(a, b, id) > (x, y, z)` (or `<`): a row comparison both databases bound an index with.

    An OR of column comparisons is no index bound on PostgreSQL, so a page deep in the list
    would walk every row before it (docs/performance.md, fix 1)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, keys: list[Any], values: list[Any], *, descending: bool = False) -> None:
        self.width = len(keys)
        self.operator = "<" if descending else ">"
        super().__init__(*keys, *values)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, values = compiler.compile(expression)
            parts.append(sql)
            params.extend(values)
        left, right = ", ".join(parts[: self.width]), ", ".join(parts[self.width :])
        return f"({left}) {self.operator} ({right})", params


def rows_after(qs: QuerySet[Ticket], order: str, key: tuple[Any, ...]) -> QuerySet[Ticket]:
    """Tickets after `key` (a decoded cursor) in `order`: the inbox's next page, and the
    ticket page's previous/next links walking the inbox list."""
    *ranks, when, pk = key
    stamp = Value(when, output_field=DateTimeField())
    if order in ("newest", "oldest"):
        keys: list[Any] = [F("updated_at"), F("id")]
    elif order == "waiting":
        keys = [waiting_since(), F("id")]
    else:
        keys = [priority_rank(), waiting_since(), F("id")]
    values = [Value(r) for r in ranks] + [stamp, Value(pk)]
    return qs.filter(_RowAfter(keys, values, descending=order == "newest"))


ORDER_BY = {
    "newest": ("-updated_at", "-id"),
    "oldest": ("updated_at", "id"),
    "waiting": ("waited", "id"),
    "priority": ("rank", "waited", "id"),
}


# What encode_cursor reads from a row, whatever the order.
SORT_COLUMNS = ("updated_at", "created_at", "last_customer_message_at", "priority")


def ticket_page(
    agent: Agent,
    flt: TicketFilter,
    *,
    order: str = "newest",
    cursor: str = "",
    limit: int = 50,
    columns: Sequence[str] = (),
) -> Page:
    """One page in the given order; keyset on the order's indexed key stays fast at any depth.

    `waiting` puts the customer who has waited longest first (their last message, else the
    ticket's opening); `priority` is urgent → low, then longest waiting.
    """
    if order not in ORDERS:
        raise ValidationFailed(_("Unknown sort order."), code="invalid_order", details=list(ORDERS))
    limit = max(1, min(limit, MAX_PAGE))
    # Inbox credentials are secrets and never needed in a list: not loaded, not decrypted.
    qs = filtered_tickets(agent, flt)
    if columns:
        # A list page that names its columns loads only those (and the sort keys): building
        # 50 full tickets with their customers, inboxes and brands is most of a page's CPU.
        related = sorted({c.split("__")[0] for c in columns if "__" in c})
        qs = qs.select_related(*related).only(*columns, *SORT_COLUMNS)
    else:
        qs = qs.select_related("customer", "assignee", "inbox", "brand").defer("inbox__credentials")
    if order in ("waiting", "priority"):
        # alias(), not annotate(): the expressions stay identical to the indexed ones.
        qs = qs.alias(waited=waiting_since())
        if order == "priority":
            qs = qs.alias(rank=priority_rank())
    if cursor:
        qs = rows_after(qs, order, decode_cursor(cursor, order))
    qs = qs.order_by(*ORDER_BY[order])
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(
        items=items, next_cursor=encode_cursor(items[-1], order) if more and items else None
    )


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


def saved_views_for(agent: Agent) -> QuerySet[SavedView]:
    """The saved views an agent sees in the nav: their own and every shared one."""
    return SavedView.objects.filter(Q(owner=agent) | Q(shared=True)).order_by("position", "id")


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
