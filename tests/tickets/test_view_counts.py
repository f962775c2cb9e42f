"""The inbox views' counts stop at a cap so a page never counts a million solved tickets."""

from __future__ import annotations

from madoguchi.tickets import queries
from madoguchi.tickets.models import Status, Ticket
from tests.inboxes.factories import receive


def test_counts_are_exact_below_the_cap_and_capped_above(inboxes, agent, monkeypatch):
    for n in range(4):
        receive(inboxes["form"], external_id=f"count-{n}", subject=f"件名 {n}")
    Ticket.objects.filter(pk=Ticket.objects.order_by("pk").first().pk).update(status=Status.SOLVED)

    exact = queries.view_counts(agent)
    assert exact["unsolved"] == 3
    assert exact["solved"] == 1
    assert queries.count_label(exact["unsolved"]) == "3"

    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    capped = queries.view_counts(agent)
    assert capped["unsolved"] == 3  # cap + 1: "more than the cap", without counting the rest
    assert capped["solved"] == 1
    assert queries.count_label(capped["unsolved"]) == "2+"
    assert queries.count_label(2) == "2"
