"""Domain events → channel-layer groups: which groups, what payload, and failures stay quiet."""

from __future__ import annotations

import pytest

from madoguchi.core.events import NotificationCreated, dispatch
from madoguchi.realtime import fanout
from tests.inboxes.factories import receive


class Recorder:
    """Stands in for the channel layer and records every group_send."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, dict]] = []
        self.fail = fail

    async def group_send(self, group: str, message: dict) -> None:
        if self.fail:
            raise ConnectionError("layer down")
        self.sent.append((group, message))

    def groups(self, kind: str) -> set[str]:
        return {g for g, m in self.sent if m.get("kind") == kind}


@pytest.fixture
def layer(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(fanout, "get_channel_layer", lambda: recorder)
    return recorder


def test_ingest_fans_out_ids_only_to_inbox_and_ticket(
    db, layer, inboxes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = receive(inboxes["email"], subject="件名", body_text="本文です")
    ticket_id = result.ticket_id
    inbox = inboxes["email"].pk
    assert layer.groups("ticket_created") == {f"inbox.{inbox}", f"ticket.{ticket_id}"}
    assert layer.groups("message_received") == {f"inbox.{inbox}", f"ticket.{ticket_id}"}
    _, message = next(s for s in layer.sent if s[1]["kind"] == "message_received")
    assert set(message) == {
        "type", "event_id", "kind", "ticket_id", "number", "inbox_id", "message_id"
    }  # fmt: skip
    assert message["type"] == "ticket.event" and message["message_id"] == result.message_id


def test_team_ticket_also_goes_to_the_team_group(
    db, layer, inboxes, admin, django_capture_on_commit_callbacks
):
    from madoguchi.accounts.models import Team
    from madoguchi.tickets.actions import do_reply, do_update_ticket

    team = Team.objects.create(name="一次対応")
    ticket_id = receive(inboxes["form"]).ticket_id
    with django_capture_on_commit_callbacks(execute=True):
        do_update_ticket(admin, ticket_id, {"team_id": team.pk})
        do_reply(admin, ticket_id, "確認いたします。", internal=True)
    assert f"team.{team.pk}" in layer.groups("ticket_updated")
    assert f"team.{team.pk}" in layer.groups("message_added")


def test_merge_tells_both_tickets(db, layer, inboxes, admin, django_capture_on_commit_callbacks):
    from madoguchi.tickets.actions import do_merge_tickets

    source = receive(inboxes["email"], external_id="a").ticket_id
    target = receive(inboxes["email"], external_id="b", sender_name="別の人").ticket_id
    with django_capture_on_commit_callbacks(execute=True):
        do_merge_tickets(admin, source, target)
    assert f"ticket.{source}" in layer.groups("ticket_merged")
    assert f"ticket.{target}" in layer.groups("ticket_updated")


def test_notification_goes_to_the_agent_group_only(layer):
    dispatch(NotificationCreated(notification_id=7, agent_id=3))
    assert layer.sent == [
        (
            "agent.3",
            {
                "type": "agent.notification",
                "event_id": layer.sent[0][1]["event_id"],
                "kind": "notification",
                "notification_id": 7,
            },
        )
    ]


def test_a_deleted_ticket_sends_nothing(db, layer, django_capture_on_commit_callbacks):
    fanout.publish_ticket(999_999, "ticket_updated")
    assert layer.sent == []


def test_publishing_costs_one_query(db, layer, inboxes, django_assert_num_queries):
    ticket_id = receive(inboxes["email"]).ticket_id
    with django_assert_num_queries(1):
        fanout.publish_ticket(ticket_id, "ticket_updated")
    assert len(layer.sent) == 2


def test_a_broken_layer_does_not_break_ingest(
    db, monkeypatch, inboxes, django_capture_on_commit_callbacks
):
    from madoguchi.tickets.models import Ticket

    monkeypatch.setattr(fanout, "get_channel_layer", lambda: Recorder(fail=True))
    with django_capture_on_commit_callbacks(execute=True):
        result = receive(inboxes["email"])
    assert Ticket.objects.filter(pk=result.ticket_id).exists()
