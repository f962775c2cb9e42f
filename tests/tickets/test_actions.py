"""tickets.actions: field changes on the timeline, replies, merges, macros, permissions."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import AuditEntry, Team
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.inboxes.models import Outbox
from madoguchi.search.index import match
from madoguchi.search.models import DocumentKind
from madoguchi.tickets.actions import (
    do_apply_macro,
    do_mark_spam,
    do_merge_customers,
    do_merge_tickets,
    do_reply,
    do_update_ticket,
    render_macro,
)
from madoguchi.tickets.actions.replies import NewAttachment
from madoguchi.tickets.models import Macro, Message, Status, Ticket, TimelineEvent
from tests.inboxes.factories import receive


@pytest.fixture
def ticket(inboxes):
    result = receive(
        inboxes["form"],
        sender=SenderHandle("email", "taro@example.jp"),
        sender_name="山田 太郎",
        subject="配送状況の確認",
        body_text="注文した商品がまだ届きません。",
    )
    return Ticket.objects.get(pk=result.ticket_id)


def snapshot(ticket: Ticket) -> dict:
    ticket.refresh_from_db()
    return {
        "ticket": Ticket.objects.filter(pk=ticket.pk).values().get(),
        "tags": sorted(ticket.tags.values_list("name", flat=True)),
        "messages": Message.objects.count(),
        "timeline": TimelineEvent.objects.count(),
        "outbox": Outbox.objects.count(),
    }


def test_update_writes_old_to_new_on_the_timeline(ticket, agent, make_agent):
    team = Team.objects.create(name="配送チーム")
    other = make_agent("agent", "田中 次郎")
    do_update_ticket(
        agent,
        ticket.pk,
        {
            "status": "pending",
            "priority": "high",
            "assignee_id": other.pk,
            "team_id": team.pk,
            "tags": ["配送", "至急"],
        },
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee_id, ticket.team_id) == (
        "pending",
        "high",
        other.pk,
        team.pk,
    )
    rows = {
        r.field: (r.old_value, r.new_value, r.actor_agent_id)
        for r in TimelineEvent.objects.filter(ticket=ticket).exclude(kind="created")
    }
    assert rows == {
        "status": ("new", "pending", agent.pk),
        "priority": ("normal", "high", agent.pk),
        "assignee": ("", str(other.pk), agent.pk),
        "team": ("", str(team.pk), agent.pk),
        "tags": ("", "至急, 配送", agent.pk),
    }
    before = TimelineEvent.objects.count()
    do_update_ticket(agent, ticket.pk, {"status": "pending", "add_tags": ["配送"]})
    assert TimelineEvent.objects.count() == before  # no change, no row
    do_update_ticket(agent, ticket.pk, {"remove_tags": ["至急"], "assignee_id": None})
    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    assert list(ticket.tags.values_list("name", flat=True)) == ["配送"]


def test_solving_stamps_and_reopening_clears(ticket, agent):
    do_update_ticket(agent, ticket.pk, {"status": "solved"})
    ticket.refresh_from_db()
    assert ticket.solved_at is not None
    do_update_ticket(agent, ticket.pk, {"status": "open"})
    ticket.refresh_from_db()
    assert ticket.solved_at is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": "done"}, "invalid_status"),
        ({"status": ["open"]}, "invalid_status"),
        ({"priority": "critical"}, "invalid_priority"),
        ({"assignee_id": 987_654}, "invalid_assignee"),
        ({"assignee_id": "1"}, "invalid_assignee"),
        ({"assignee_id": True}, "invalid_assignee"),
        ({"team_id": 987_654}, "invalid_team"),
        ({"team_id": "x"}, "invalid_team"),
        ({"subject": "x" * 251}, "invalid_subject"),
        ({"subject": 5}, "invalid_subject"),
        ({"tags": "VIP"}, "invalid_tags"),
        ({"customer_id": 1}, "unknown_fields"),
        ({"status": "open", "merged_into": 3}, "unknown_fields"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(ticket, agent, changes, code):
    before = snapshot(ticket)
    with pytest.raises(ValidationFailed) as info:
        do_update_ticket(agent, ticket.pk, changes)
    assert info.value.code == code
    assert snapshot(ticket) == before


def test_viewer_cannot_be_assigned(ticket, agent, make_agent):
    viewer = make_agent("viewer")
    with pytest.raises(ValidationFailed) as info:
        do_update_ticket(agent, ticket.pk, {"assignee_id": viewer.pk})
    assert info.value.code == "invalid_assignee"


def test_subject_change_is_searchable(ticket, agent):
    do_update_ticket(agent, ticket.pk, {"subject": "返品・交換のご相談"})
    assert match(DocumentKind.TICKET, "返品") == [ticket.pk]


def test_reply_stale_check(ticket, agent, inboxes):
    last = Message.objects.filter(ticket=ticket).latest("id")
    newer = receive(inboxes["form"], ticket_id=ticket.pk, body_text="追加の質問です。")
    before = snapshot(ticket)
    with pytest.raises(Conflict) as info:
        do_reply(agent, ticket.pk, "お待たせしました。", expected_last_message_id=last.pk)
    assert info.value.code == "stale_ticket" and info.value.status == 409
    assert info.value.details == {"new_message_ids": [newer.message_id]}
    assert snapshot(ticket) == before
    # The agent's own messages and seeing the newest message are not stale.
    do_reply(agent, ticket.pk, "確認します。", internal=True)
    reply = do_reply(
        agent, ticket.pk, "お待たせしました。", expected_last_message_id=newer.message_id
    )
    assert reply.body_text == "お待たせしました。"


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"body": ""}, ValidationFailed, "empty_reply"),
        ({"body": "   "}, ValidationFailed, "empty_reply"),
        ({"body": "x" * 100_001}, ValidationFailed, "reply_too_long"),
        ({"body": "ok", "set_status": "finished"}, ValidationFailed, "invalid_status"),
        ({"body": "ok", "author_kind": "customer"}, ValidationFailed, "invalid_author"),
        (
            {"body": "ok", "attachments": [NewAttachment("", "text/plain", b"x")]},
            ValidationFailed,
            "invalid_attachment",
        ),
    ],
)
def test_bad_replies_write_nothing(ticket, agent, kwargs, error, code):
    before = snapshot(ticket)
    body = kwargs.pop("body")
    with pytest.raises(error) as info:
        do_reply(agent, ticket.pk, body, **kwargs)
    assert info.value.code == code
    assert snapshot(ticket) == before


def test_reply_with_status_and_attachment(ticket, agent, settings):
    message = do_reply(
        agent,
        ticket.pk,
        "伝票番号をお送りします。",
        set_status="solved",
        attachments=[NewAttachment("../伝票.png", "image/png", b"\x89PNG")],
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED and ticket.solved_at is not None
    assert ticket.last_agent_message_at == message.created_at
    attachment = message.attachments.get()
    assert attachment.filename == "../伝票.png"
    assert ".." not in attachment.file.name and attachment.file.name.endswith(".png")


def test_ticket_merge_moves_messages_and_points_source(inboxes, agent):
    a = receive(inboxes["form"], body_text="一通目", tags=["配送"])
    b = receive(
        inboxes["email"], sender=SenderHandle("email", "taro@example.jp"), body_text="二通目"
    )
    target = do_merge_tickets(agent, a.ticket_id, b.ticket_id)
    source = Ticket.objects.get(pk=a.ticket_id)
    assert source.merged_into_id == target.pk == b.ticket_id
    assert source.status == Status.CLOSED and source.message_count == 0
    assert target.message_count == 2
    assert set(Message.objects.filter(ticket=target).values_list("body_text", flat=True)) == {
        "一通目",
        "二通目",
    }
    assert list(target.tags.values_list("name", flat=True)) == ["配送"]
    assert TimelineEvent.objects.filter(ticket=source, kind="merged").exists()
    assert TimelineEvent.objects.get(ticket=target, kind="merged_in").new_value == "1"
    assert match(DocumentKind.TICKET, "一通目") == [target.pk]
    with pytest.raises(Conflict) as info:
        do_merge_tickets(agent, a.ticket_id, b.ticket_id)
    assert info.value.code == "already_merged"
    with pytest.raises(ValidationFailed):
        do_merge_tickets(agent, b.ticket_id, b.ticket_id)
    with pytest.raises(Conflict) as replying:
        do_reply(agent, a.ticket_id, "こちらに返信")
    assert replying.value.code == "ticket_merged"


def test_customer_merge_moves_tickets_and_identities(inboxes, admin):
    a = receive(inboxes["form"], sender=SenderHandle("email", "old@example.jp"), sender_name="")
    b = receive(
        inboxes["phone"], sender=SenderHandle("phone", "090-7777-8888"), sender_name="木村 拓"
    )
    source = Customer.objects.get(pk=a.customer_id)
    target = Customer.objects.get(pk=b.customer_id)
    merged = do_merge_customers(admin, source, target)
    assert merged.pk == target.pk
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert Ticket.objects.get(pk=a.ticket_id).customer_id == target.pk
    assert set(Identity.objects.values_list("customer_id", flat=True)) == {target.pk}
    assert Identity.objects.get(kind="email").is_primary
    assert match(DocumentKind.CUSTOMER, "old@example.jp") == [target.pk]
    assert set(match(DocumentKind.TICKET, "090-7777-8888")) == {a.ticket_id, b.ticket_id}
    assert AuditEntry.objects.get(action="customer.merge").data == {"into": target.pk}
    with pytest.raises(Conflict):
        do_merge_customers(admin, source, target)


@pytest.mark.parametrize("role", ["viewer", "outsourced"])
def test_roles_without_customer_merge_are_forbidden(inboxes, make_agent, role):
    a = receive(inboxes["form"], sender=SenderHandle("email", "a@example.jp"))
    b = receive(inboxes["form"], sender=SenderHandle("email", "b@example.jp"))
    source, target = Customer.objects.get(pk=a.customer_id), Customer.objects.get(pk=b.customer_id)
    with pytest.raises(Forbidden):
        do_merge_customers(make_agent(role), source, target)
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0


def test_macro_renders_variables_and_applies_changes(ticket, agent):
    macro = Macro.objects.create(
        name="配送遅延のお詫び",
        body=(
            "{{customer.name}} 様\n\nお問い合わせ {{ticket.number}} について、"
            "配送が遅れております。"
            "\n\n{{ agent.name }}\n{{brand.name}} {{unknown.thing}}"
        ),
        set_status="pending",
        set_priority="high",
        add_tags=["配送遅延"],
    )
    text = render_macro(macro, ticket, agent)
    assert text.startswith("山田 太郎 様")
    assert f"お問い合わせ #{ticket.number} について" in text
    assert "佐藤 花子\n窓口テスト商店 {{unknown.thing}}" in text
    message = do_apply_macro(agent, ticket.pk, macro.pk)
    assert message is not None and message.body_text == text
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("pending", "high")
    assert list(ticket.tags.values_list("name", flat=True)) == ["配送遅延"]
    assert Outbox.objects.filter(message=message).exists()
    assert Macro.objects.get(pk=macro.pk).usage_count == 1


def test_macro_with_edited_text_and_without_sending(ticket, agent):
    macro = Macro.objects.create(name="解決", body="解決しました。", set_status="solved")
    message = do_apply_macro(agent, ticket.pk, macro.pk, body="手直しした本文です。")
    assert message is not None and message.body_text == "手直しした本文です。"
    other = Macro.objects.create(name="保留", set_status="on_hold")
    assert do_apply_macro(agent, ticket.pk, other.pk, send=False) is None
    ticket.refresh_from_db()
    assert ticket.status == "on_hold"


def test_private_macro_of_someone_else_is_not_found(ticket, agent, make_agent):
    owner = make_agent("agent")
    macro = Macro.objects.create(name="私用", body="x", owner=owner)
    with pytest.raises(NotFound) as info:
        do_apply_macro(agent, ticket.pk, macro.pk)
    assert info.value.code == "macro_not_found"


def test_viewer_cannot_write_anything(ticket, agent, make_agent):
    viewer = make_agent("viewer")
    macro = Macro.objects.create(name="空", body="", add_tags=["x"])
    other = receive(ticket.inbox, body_text="別のチケット")
    before = snapshot(ticket)
    attempts = [
        lambda: do_update_ticket(viewer, ticket.pk, {"status": "solved"}),
        lambda: do_reply(viewer, ticket.pk, "返信"),
        lambda: do_reply(viewer, ticket.pk, "メモ", internal=True),
        lambda: do_mark_spam(viewer, ticket.pk),
        lambda: do_merge_tickets(viewer, ticket.pk, other.ticket_id),
        lambda: do_apply_macro(viewer, ticket.pk, macro.pk),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    assert snapshot(ticket) == before
    assert Macro.objects.get(pk=macro.pk).usage_count == 0


def test_outsourced_agent_sees_only_granted_inboxes(ticket, inboxes, make_agent):
    outsider = make_agent("outsourced")
    macro = Macro.objects.create(name="返信", body="ご連絡ありがとうございます。")
    before = snapshot(ticket)
    attempts = [
        lambda: do_update_ticket(outsider, ticket.pk, {"status": "solved"}),
        lambda: do_reply(outsider, ticket.pk, "返信"),
        lambda: do_mark_spam(outsider, ticket.pk),
        lambda: do_apply_macro(outsider, ticket.pk, macro.pk),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound) as info:
            attempt()
        assert info.value.code == "ticket_not_found"
    assert snapshot(ticket) == before
    inboxes["form"].granted_agents.add(outsider)
    do_update_ticket(outsider, ticket.pk, {"status": "pending"})
    do_reply(outsider, ticket.pk, "確認します。")
    assert Ticket.objects.get(pk=ticket.pk).status == "pending"


def test_outsourced_agent_through_team_grant(ticket, make_agent):
    team = Team.objects.create(name="外部委託")
    outsider = make_agent("outsourced")
    outsider.teams.add(team)
    with pytest.raises(NotFound):
        do_update_ticket(outsider, ticket.pk, {"priority": "low"})
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    do_update_ticket(outsider, ticket.pk, {"priority": "low"})
    assert Ticket.objects.get(pk=ticket.pk).priority == "low"


def test_inactive_agent_cannot_write(ticket, agent):
    agent.user.is_active = False
    agent.user.save()
    with pytest.raises(Forbidden):
        do_reply(agent, ticket.pk, "返信")


def test_mark_spam_closes_and_records(ticket, agent):
    do_mark_spam(agent, ticket.pk)
    ticket.refresh_from_db()
    assert ticket.is_spam and ticket.status == Status.CLOSED
    assert TimelineEvent.objects.filter(ticket=ticket, field="is_spam", new_value="True").exists()
