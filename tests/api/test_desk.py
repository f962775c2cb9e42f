"""GET /me, GET /inboxes, the outbox's dead letters and their retry."""

from __future__ import annotations

import socket

import pytest

from madoguchi.accounts.models import Team
from madoguchi.inboxes.delivery import deliver
from madoguchi.inboxes.models import Outbox
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Message

from .client import snapshot


def test_me(api, agent):
    team = Team.objects.create(name="一次対応")
    agent.teams.add(team)
    body = api.get("/me").json()
    assert body["id"] == agent.pk and body["display_name"] == "佐藤 花子"
    assert body["role"] == "agent" and body["language"] == "ja"
    assert body["teams"] == [{"id": team.pk, "name": "一次対応"}]
    assert "write" in body["capabilities"] and "manage_agents" not in body["capabilities"]


def test_inboxes(api, inboxes, make_agent, api_for):
    body = api.get("/inboxes").json()
    assert {item["kind"] for item in body} == set(inboxes)
    email = next(item for item in body if item["kind"] == "email")
    assert email["address"] == "support@shop.test" and email["brand"]["name"] == "窓口テスト商店"
    outsourced = make_agent("outsourced")
    inboxes["phone"].granted_agents.add(outsourced)
    assert [item["kind"] for item in api_for(outsourced).get("/inboxes").json()] == ["phone"]
    assert api_for(make_agent("outsourced")).get("/inboxes").json() == []
    response = api.get("/inboxes", {"kind": "email"})
    assert (response.status_code, response.json()["code"]) == (422, "unknown_fields")


@pytest.fixture
def dead_letter(ticket, agent, settings):  # type: ignore[no-untyped-def]
    """A reply whose SMTP server was down: one attempt allowed, so it is dead at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = s.getsockname()[1]  # closed again when the block ends
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 2
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = do_reply(agent, ticket.pk, "お届け予定日をご案内します。")
    outbox = Outbox.objects.get(message=message)
    assert deliver(outbox.pk) == "dead"
    outbox.refresh_from_db()
    return outbox


def test_dead_letters_are_listed_and_retried(api, dead_letter, ticket):
    response = api.get("/outbox", {"state": "dead"})
    assert response.status_code == 200, response.content
    (item,) = response.json()["items"]
    assert item["id"] == dead_letter.pk and item["state"] == "dead"
    assert item["ticket_id"] == ticket.pk and item["ticket_number"] == ticket.number
    assert item["to"] == "taro@example.jp" and "unreachable" in item["last_error"]
    assert api.get("/outbox", {"state": "sent"}).json()["items"] == []
    assert [i["id"] for i in api.get("/outbox").json()["items"]] == [dead_letter.pk]

    retried = api.post(f"/outbox/{dead_letter.pk}/retry")
    assert retried.status_code == 200, retried.content
    assert retried.json()["state"] == "pending" and retried.json()["attempts"] == 0
    assert Message.objects.get(pk=dead_letter.message_id).delivery == "queued"
    again = api.post(f"/outbox/{dead_letter.pk}/retry")
    assert (again.status_code, again.json()["code"]) == (409, "not_dead_letter")


def test_outbox_refusals(api, dead_letter):
    before = snapshot()
    response = api.post("/outbox/123456/retry")
    assert (response.status_code, response.json()["code"]) == (404, "outbox_not_found")
    response = api.get("/outbox", {"state": "lost"})
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    response = api.post(f"/outbox/{dead_letter.pk}/retry", {"force": True})
    assert (response.status_code, response.json()["code"]) == (422, "unknown_fields")
    assert snapshot() == before
