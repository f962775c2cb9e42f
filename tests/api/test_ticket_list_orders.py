"""GET /tickets?order=waiting|priority: the inbox's sort orders, keyset pages, flat queries."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.tickets.actions import do_update_ticket
from madoguchi.tickets.models import Ticket

from .client import receive


def _walk(api, order: str) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    cursor = ""
    while True:
        params = {"limit": 2, "order": order} | ({"cursor": cursor} if cursor else {})
        body = api.get("/tickets", params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return seen


def test_waiting_and_priority_orders(api, agent, inboxes):
    now = timezone.now()
    made = []
    for n, (priority, hours) in enumerate(
        [("low", 9), ("urgent", 1), ("normal", 4), ("urgent", 6)]
    ):
        t = receive(inboxes["email"], f"本文{n}", email=f"w{n}@example.jp")
        Ticket.objects.filter(pk=t.pk).update(
            priority=priority, last_customer_message_at=now - timedelta(hours=hours)
        )
        made.append(t.pk)
    assert _walk(api, "waiting") == [made[0], made[3], made[2], made[1]]
    assert _walk(api, "priority") == [made[3], made[1], made[2], made[0]]
    bad = api.get("/tickets", {"order": "waiting", "cursor": "WzEsMiwzXQ"})
    assert bad.status_code == 422


def _count(api, order: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert api.get("/tickets", {"order": order}).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(api, agent, inboxes):
    def add(n: int) -> None:
        t = receive(inboxes["email"], f"本文{n}", email=f"c{n}@example.jp")
        do_update_ticket(agent, t.pk, {"add_tags": ["共通", f"タグ{n}"]})

    for n in range(3):
        add(n)
    _count(api, "newest")  # the token's first use of the day is written once
    few = {order: _count(api, order) for order in ("newest", "waiting", "priority")}
    for n in range(3, 30):
        add(n)
    assert {order: _count(api, order) for order in few} == few
