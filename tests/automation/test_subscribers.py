"""The notification rules: who hears about mentions, assignments and customer replies."""

from __future__ import annotations

import pytest

from madoguchi.automation.models import Notification, NotificationKind
from madoguchi.core.events import MessageAdded, dispatch
from madoguchi.tickets.actions.changes import do_update_ticket
from madoguchi.tickets.actions.replies import do_reply


@pytest.fixture
def ticket(make_ticket):  # type: ignore[no-untyped-def]
    return make_ticket("email", subject="注文した商品がまだ届きません")


@pytest.fixture
def bob(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("agent", "鈴木 一郎")


def note_mentioning(author, ticket, *mentioned, body: str = "確認お願いします"):  # type: ignore[no-untyped-def]
    """An internal note and the MessageAdded event the note action emits for it."""
    note = do_reply(author, ticket.pk, body, internal=True)
    dispatch(
        MessageAdded(
            ticket_id=ticket.pk,
            message_id=note.pk,
            internal=True,
            author_agent_id=author.pk,
            mentions=tuple(a.pk for a in mentioned),
        )
    )
    return note


def test_mention_notifies_each_mentioned_agent_but_not_the_author(
    agent, bob, admin, ticket, run_commits, created_events
):
    with run_commits():
        note = note_mentioning(agent, ticket, bob, admin, agent)
    rows = Notification.objects.order_by("recipient_id")
    assert {(n.recipient_id, n.kind, n.actor_id, n.message_id) for n in rows} == {
        (bob.pk, NotificationKind.MENTION, agent.pk, note.pk),
        (admin.pk, NotificationKind.MENTION, agent.pk, note.pk),
    }
    assert all(n.ticket_id == ticket.pk and n.read_at is None for n in rows)
    assert {(e.agent_id, e.notification_id) for e in created_events} == {
        (n.recipient_id, n.pk) for n in rows
    }


def test_self_mention_alone_notifies_nobody(agent, ticket, run_commits, created_events):
    with run_commits():
        note_mentioning(agent, ticket, agent)
    assert Notification.objects.count() == 0
    assert created_events == []


def test_mention_of_agent_who_cannot_see_the_ticket_is_dropped(
    agent, make_agent, inboxes, ticket, run_commits
):
    outsider = make_agent("outsourced", "外部 次郎")
    granted = make_agent("outsourced", "外部 三郎")
    inboxes["email"].granted_agents.add(granted)
    gone = make_agent("agent", "退職 四郎")
    gone.user.is_active = False
    gone.user.save()
    with run_commits():
        note_mentioning(agent, ticket, outsider, granted, gone)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [granted.pk]


def test_assignment_notifies_the_new_assignee_with_who_assigned(
    admin, bob, ticket, run_commits, created_events
):
    with run_commits():
        do_update_ticket(admin, ticket.pk, {"assignee_id": bob.pk})
    n = Notification.objects.get()
    assert (n.recipient_id, n.kind, n.actor_id, n.ticket_id) == (
        bob.pk,
        NotificationKind.ASSIGNED,
        admin.pk,
        ticket.pk,
    )
    assert [e.notification_id for e in created_events] == [n.pk]


def test_taking_a_ticket_yourself_and_unassigning_notify_nobody(bob, admin, ticket, run_commits):
    with run_commits():
        do_update_ticket(bob, ticket.pk, {"assignee_id": bob.pk})
    with run_commits():
        do_update_ticket(admin, ticket.pk, {"assignee_id": None})
    with run_commits():
        do_update_ticket(admin, ticket.pk, {"priority": "high"})
    assert Notification.objects.count() == 0


def test_customer_reply_notifies_the_assignee_once_until_read(
    admin, bob, ticket, make_ticket, run_commits
):
    do_update_ticket(admin, ticket.pk, {"assignee_id": bob.pk})  # callbacks not run: no notice
    with run_commits():
        make_ticket("email", subject="Re: 注文した商品がまだ届きません", ticket=ticket)
    n = Notification.objects.get()
    assert (n.recipient_id, n.kind, n.actor_id) == (bob.pk, NotificationKind.CUSTOMER_REPLY, None)
    assert n.message.body_text.startswith("注文した商品")
    with run_commits():
        make_ticket("email", body="追伸: 急ぎです。", ticket=ticket)
    assert Notification.objects.count() == 1
    Notification.objects.update(read_at=n.created_at)
    with run_commits():
        make_ticket("email", body="まだですか？", ticket=ticket)
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert Notification.objects.count() == 2


def test_customer_reply_on_unassigned_ticket_notifies_nobody(ticket, make_ticket, run_commits):
    with run_commits():
        make_ticket("email", ticket=ticket)
    assert Notification.objects.count() == 0


def test_customer_reply_skips_an_assignee_who_lost_access(
    admin, make_agent, inboxes, ticket, make_ticket, run_commits
):
    helper = make_agent("outsourced", "外部 五郎")
    inboxes["email"].granted_agents.add(helper)
    do_update_ticket(admin, ticket.pk, {"assignee_id": helper.pk})
    inboxes["email"].granted_agents.remove(helper)
    with run_commits():
        make_ticket("email", ticket=ticket)
    assert Notification.objects.count() == 0


def test_a_real_note_with_at_names_notifies_through_the_parser(
    agent, bob, admin, ticket, run_commits, created_events
):
    with run_commits():
        note = do_reply(
            agent, ticket.pk, "@鈴木 一郎 @佐藤 花子 在庫を確認してください", internal=True
        )
    n = Notification.objects.get()
    assert (n.recipient_id, n.actor_id, n.message_id) == (bob.pk, agent.pk, note.pk)
    assert [e.agent_id for e in created_events] == [bob.pk]


def test_a_public_reply_mentions_nobody(agent, bob, ticket, run_commits):
    with run_commits():
        do_reply(agent, ticket.pk, "@鈴木 一郎 さんから折り返しご連絡します。")
    assert Notification.objects.count() == 0
