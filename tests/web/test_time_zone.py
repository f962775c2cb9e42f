"""Console times are shown in the signed-in agent's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from madoguchi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia/Tokyo", "2026/05/01 23:30"), ("Europe/London", "2026/05/01 15:30")],
)
def test_ticket_times_follow_the_agents_zone(make_agent, make_ticket, login, zone, shown):  # type: ignore[no-untyped-def]
    agent = make_agent("agent", "佐藤 花子")
    agent.time_zone = zone
    agent.save(update_fields=["time_zone"])
    ticket = make_ticket("form")
    at = datetime(2026, 5, 1, 14, 30, tzinfo=UTC)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at, updated_at=at)
    ticket.messages.update(created_at=at)

    page = login(agent).get(f"/tickets/{ticket.pk}/")

    assert page.status_code == 200
    assert shown in page.text


def test_an_unknown_stored_zone_falls_back_to_the_site_zone(make_agent, make_ticket, login):  # type: ignore[no-untyped-def]
    agent = make_agent("agent")
    ticket = make_ticket("form")
    at = datetime(2026, 5, 1, 14, 30, tzinfo=UTC)
    ticket.messages.update(created_at=at)
    type(agent).objects.filter(pk=agent.pk).update(time_zone="Mars/Olympus")

    page = login(agent).get(f"/tickets/{ticket.pk}/")

    assert page.status_code == 200
    assert "2026/05/01 23:30" in page.text  # Asia/Tokyo, the site default
