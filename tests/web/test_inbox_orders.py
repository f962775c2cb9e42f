"""Inbox sort orders: newest, oldest, longest waiting, priority; keyset pages in each order;
on PostgreSQL each order's page is an index walk, never a sort of the table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from madoguchi.core.errors import ValidationFailed
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.queries import ORDERS, TicketFilter, decode_cursor, ticket_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(make_ticket):  # type: ignore[no-untyped-def]
    """Seven tickets with known waiting times and priorities (two share a waiting time)."""
    now = timezone.now()
    rows = [
        # (priority, customer waited hours, updated hours ago)
        ("normal", 5, 1),
        ("urgent", 1, 6),
        ("low", 9, 2),
        ("urgent", 7, 3),
        ("high", 3, 4),
        ("normal", 5, 5),
        ("high", None, 7),  # no customer message: waits since it was opened
    ]
    tickets = []
    for n, (priority, waited, updated) in enumerate(rows):
        t = make_ticket(email=f"o{n}@example.jp", subject=f"並び{n}")
        Ticket.objects.filter(pk=t.pk).update(
            priority=priority,
            created_at=now - timedelta(hours=8),
            last_customer_message_at=now - timedelta(hours=waited) if waited else None,
            updated_at=now - timedelta(hours=updated),
        )
        tickets.append(Ticket.objects.get(pk=t.pk))
    return tickets


def _walk(agent, order: str, limit: int) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    cursor = ""
    for _ in range(20):
        page = ticket_page(agent, TicketFilter(), order=order, cursor=cursor, limit=limit)
        seen += [t.pk for t in page.items]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor
    raise AssertionError("pagination did not end")


def test_each_order_and_its_pages(agent, spread):
    t = spread
    expected = {
        "newest": [t[0], t[2], t[3], t[4], t[5], t[1], t[6]],
        "oldest": [t[6], t[1], t[5], t[4], t[3], t[2], t[0]],
        # t[6] waits since opening (8 h); t[0] and t[5] tie at 5 h and go by id
        "waiting": [t[2], t[6], t[3], t[0], t[5], t[4], t[1]],
        "priority": [t[3], t[1], t[6], t[4], t[0], t[5], t[2]],
    }
    assert set(expected) == set(ORDERS)
    for order, tickets in expected.items():
        want = [x.pk for x in tickets]
        assert _walk(agent, order, 50) == want, order
        for limit in (1, 2, 3):
            assert _walk(agent, order, limit) == want, (order, limit)


def test_a_cursor_of_another_order_is_refused(agent, spread):
    page = ticket_page(agent, TicketFilter(), order="newest", limit=2)
    assert page.next_cursor
    with pytest.raises(ValidationFailed):
        ticket_page(agent, TicketFilter(), order="priority", cursor=page.next_cursor)
    with pytest.raises(ValidationFailed):
        decode_cursor("WzEsMiwzLDRd", "waiting")  # [1,2,3,4]
    with pytest.raises(ValidationFailed):
        ticket_page(agent, TicketFilter(), order="sideways")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")
@pytest.mark.parametrize("view", ["", "unsolved", "unassigned"])
@pytest.mark.parametrize("order", ORDERS)
def test_every_order_can_walk_an_index_on_postgresql(agent, spread, view, order):
    """With sorting and table scans priced out, a plan without Sort proves that an index
    delivers the order; the bench at 1M tickets measures the real plan."""
    page = ticket_page(agent, TicketFilter(view=view), order=order, limit=2)
    flt = TicketFilter(view=view)
    from madoguchi.tickets import queries

    def explain(cursor: str) -> str:
        qs = queries.filtered_tickets(agent, flt)
        if order in ("waiting", "priority"):
            qs = qs.alias(waited=queries.waiting_since())
            if order == "priority":
                qs = qs.alias(rank=queries.priority_rank())
        if cursor:
            qs = queries.rows_after(qs, order, decode_cursor(cursor, order))
        return qs.order_by(*queries.ORDER_BY[order])[:51].explain()

    with connection.cursor() as c:
        c.execute("SET enable_sort = off")
        c.execute("SET enable_seqscan = off")
        c.execute("SET enable_bitmapscan = off")
        try:
            captured = [explain(""), explain(page.next_cursor or "")]
        finally:
            c.execute("RESET enable_sort")
            c.execute("RESET enable_seqscan")
            c.execute("RESET enable_bitmapscan")
    for plan in captured:
        assert "Sort" not in plan, plan
        assert "Index" in plan, plan
    # the cursor is an index bound (a row comparison), not a filter over the rows before it
    assert "Index Cond: (ROW(" in captured[1], captured[1]
