"""`/live/counts/`: what a page re-fetches after a socket nudge, scoped like the page itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.inboxes.factories import receive

URL = "/live/counts/"


def test_route_name():
    assert reverse("web:live_counts") == URL


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_counts_follow_the_agents_scope(client, make_agent, inboxes):
    staff = make_agent("agent", "山田 一郎")
    outsourced = make_agent("outsourced", "外部 一郎")
    inboxes["email"].granted_agents.add(outsourced)
    receive(inboxes["email"], external_id="e1")
    receive(inboxes["form"], external_id="f1", sender_name="他の人")
    receive(inboxes["form"], external_id="f2", sender_name="別の人")

    client.force_login(staff.user)
    data = client.get(URL).json()
    assert data["views"]["unsolved"] == {"count": 3, "label": "3"}
    assert data["views"]["unassigned"]["count"] == 3
    assert data["views"]["spam"]["count"] == 0

    client.force_login(outsourced.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response.json()["views"]["unsolved"] == {"count": 1, "label": "1"}


def test_unread_notifications_are_counted(client, make_agent, inboxes):
    from madoguchi.automation.notifications import notify
    from madoguchi.tickets.models import Ticket

    staff = make_agent("agent", "山田 一郎")
    ticket = Ticket.objects.get(pk=receive(inboxes["email"]).ticket_id)
    client.force_login(staff.user)
    assert client.get(URL).json()["notifications"] == {"count": 0, "label": "0"}
    notify(staff, "mention", ticket)
    assert client.get(URL).json()["notifications"] == {"count": 1, "label": "1"}


@pytest.mark.parametrize("method", ["post", "put"])
def test_only_get(client, agent, method):
    client.force_login(agent.user)
    assert getattr(client, method)(URL).status_code == 405
