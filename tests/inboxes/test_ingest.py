"""ingest(): threading onto tickets, reopening, identities, events after commit, bad input."""

from __future__ import annotations

import pytest
from django.db import transaction

from madoguchi.core import events
from madoguchi.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes import ingest as ingest_module
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundAttachment, SenderHandle
from madoguchi.tickets.actions import do_merge_tickets, do_update_ticket
from madoguchi.tickets.models import (
    Attachment,
    AuthorKind,
    Delivery,
    Message,
    Status,
    Ticket,
    TimelineEvent,
)

from .factories import inbound, receive


class Boom(Exception):
    pass


@pytest.fixture
def received():
    """Every event dispatched during the test, in order."""
    seen: list[events.Event] = []

    def handler(event: events.Event) -> None:
        seen.append(event)

    kinds = (events.TicketCreated, events.MessageReceived, events.TicketUpdated)
    for kind in kinds:
        events.subscribe(kind, handler)
    yield seen
    for kind in kinds:
        events.unsubscribe(kind, handler)


def counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "identities": Identity.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "timeline": TimelineEvent.objects.count(),
        "attachments": Attachment.objects.count(),
    }


def test_first_message_opens_ticket_with_customer_and_identity(inboxes):
    result = receive(
        inboxes["form"],
        subject="引越しに伴う住所変更",
        body_text="来月引っ越します。\n住所変更をお願いします。",
        tags=["form:account"],
        priority="high",
    )
    assert result.created_ticket and not result.duplicate and not result.reopened
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.number >= 10001
    assert ticket.subject == "引越しに伴う住所変更"
    assert ticket.status == Status.NEW
    assert ticket.priority == "high"
    assert ticket.channel == "form"
    assert ticket.brand_id == inboxes["form"].brand_id
    assert ticket.message_count == 1
    assert ticket.preview == "来月引っ越します。"
    assert ticket.last_customer_message_at is not None
    assert list(ticket.tags.values_list("name", flat=True)) == ["form:account"]
    message = Message.objects.get(pk=result.message_id)
    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.author_customer_id == result.customer_id
    assert message.delivery == Delivery.RECEIVED
    customer = Customer.objects.get(pk=result.customer_id)
    assert customer.name == "山田 太郎"
    identity = customer.identities.get()
    assert (identity.kind, identity.handle, identity.display) == (
        "email",
        "taro@example.jp",
        "Taro@Example.jp",
    )
    assert identity.is_primary
    created = TimelineEvent.objects.get(ticket=ticket)
    assert (created.kind, created.actor_kind, created.new_value) == ("created", "customer", "form")


def test_same_delivery_twice_is_one_message(inboxes):
    message = inbound(inboxes["form"], external_id="form-abc")
    first = ingest(message)
    before = counts()
    again = ingest(message)
    assert again.duplicate and not again.created_ticket
    assert (again.ticket_id, again.message_id, again.customer_id) == (
        first.ticket_id,
        first.message_id,
        first.customer_id,
    )
    assert counts() == before


def test_same_external_id_in_another_inbox_is_another_message(inboxes):
    receive(inboxes["form"], external_id="same")
    receive(inboxes["api"], external_id="same")
    assert Message.objects.count() == 2


def test_email_is_lower_cased_and_one_identity(inboxes):
    a = receive(inboxes["form"], sender=SenderHandle("email", "Taro.Yamada@Example.JP"))
    b = receive(inboxes["form"], sender=SenderHandle("email", " taro.yamada@example.jp "))
    c = receive(
        inboxes["form"], sender=SenderHandle("email", "ＴＡＲＯ.ＹＡＭＡＤＡ＠ｅｘａｍｐｌｅ.ｊｐ")
    )
    assert a.customer_id == b.customer_id == c.customer_id
    assert list(Identity.objects.values_list("kind", "handle")) == [
        ("email", "taro.yamada@example.jp")
    ]


@pytest.mark.parametrize(
    "typed", ["090-1234-5678", "09012345678", "+81 90 1234 5678", "０９０−１２３４−５６７８"]
)
def test_phone_number_forms_are_one_identity(inboxes, typed):
    first = receive(inboxes["phone"], sender=SenderHandle("phone", "090-1234-5678"))
    again = receive(inboxes["phone"], sender=SenderHandle("phone", typed))
    assert again.customer_id == first.customer_id
    assert list(Identity.objects.values_list("kind", "handle")) == [("phone", "+819012345678")]
    assert Customer.objects.count() == 1


def test_all_phone_forms_together_make_one_identity(inboxes):
    forms = ["090-1234-5678", "09012345678", "+81 90 1234 5678", "０９０−１２３４−５６７８"]
    results = [receive(inboxes["sms"], sender=SenderHandle("phone", f)) for f in forms]
    assert len({r.customer_id for r in results}) == 1
    assert Identity.objects.get().handle == "+819012345678"


def test_extra_handles_join_the_same_customer(inboxes):
    first = receive(
        inboxes["form"],
        sender=SenderHandle("email", "hanako@example.jp"),
        extra_handles=[SenderHandle("phone", "03-1234-5678")],
    )
    by_phone = receive(inboxes["phone"], sender=SenderHandle("phone", "0312345678"))
    assert by_phone.customer_id == first.customer_id
    assert sorted(Identity.objects.values_list("kind", "handle")) == [
        ("email", "hanako@example.jp"),
        ("phone", "+81312345678"),
    ]


def test_reply_to_open_ticket_appends(inboxes, received, django_capture_on_commit_callbacks):
    first = receive(inboxes["form"])
    with django_capture_on_commit_callbacks(execute=True):
        second = receive(inboxes["form"], ticket_id=first.ticket_id, body_text="追記です。")
    assert second.ticket_id == first.ticket_id and not second.created_ticket
    ticket = Ticket.objects.get(pk=first.ticket_id)
    assert ticket.message_count == 2
    assert ticket.preview == "追記です。"
    assert [type(e) for e in received] == [events.MessageReceived]


def test_reply_to_solved_ticket_reopens_it(
    inboxes, agent, received, django_capture_on_commit_callbacks
):
    first = receive(inboxes["form"])
    do_update_ticket(agent, first.ticket_id, {"status": "solved"})
    assert Ticket.objects.get(pk=first.ticket_id).solved_at is not None
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = receive(inboxes["form"], ticket_id=first.ticket_id, body_text="まだ届きません。")
    assert again.reopened and again.ticket_id == first.ticket_id
    ticket = Ticket.objects.get(pk=first.ticket_id)
    assert ticket.status == Status.OPEN
    assert ticket.solved_at is None
    row = TimelineEvent.objects.filter(ticket=ticket, field="status").latest("id")
    assert (row.actor_kind, row.old_value, row.new_value) == ("customer", "solved", "open")
    assert received == [
        events.MessageReceived(ticket_id=ticket.pk, message_id=again.message_id, reopened=True)
    ]


@pytest.mark.parametrize("status", ["pending", "on_hold"])
def test_customer_answer_moves_waiting_ticket_to_open(inboxes, agent, status):
    first = receive(inboxes["form"])
    do_update_ticket(agent, first.ticket_id, {"status": status})
    again = receive(inboxes["form"], ticket_id=first.ticket_id)
    assert not again.reopened
    assert Ticket.objects.get(pk=first.ticket_id).status == Status.OPEN


def test_reply_to_closed_ticket_opens_new_one(inboxes, agent):
    first = receive(inboxes["form"])
    do_update_ticket(agent, first.ticket_id, {"status": "closed"})
    again = receive(inboxes["form"], ticket_id=first.ticket_id, body_text="別件です。")
    assert again.created_ticket and again.ticket_id != first.ticket_id
    old = Ticket.objects.get(pk=first.ticket_id)
    assert old.status == Status.CLOSED and old.message_count == 1
    new = Ticket.objects.get(pk=again.ticket_id)
    assert new.customer_id == old.customer_id
    link = TimelineEvent.objects.get(ticket=new, kind="follow_up")
    assert link.new_value == f"#{old.number}"
    assert Message.objects.get(pk=again.message_id).meta["follow_up_of"] == old.pk


def test_reply_to_merged_ticket_lands_on_target(inboxes, agent):
    source = receive(inboxes["form"], body_text="一通目")
    target = receive(inboxes["form"], body_text="二通目")
    do_merge_tickets(agent, source.ticket_id, target.ticket_id)
    again = receive(inboxes["form"], ticket_id=source.ticket_id, body_text="三通目")
    assert again.ticket_id == target.ticket_id and not again.created_ticket
    assert Ticket.objects.get(pk=target.ticket_id).message_count == 3


def test_reply_pointing_at_missing_ticket_opens_new_one(inboxes):
    result = receive(inboxes["form"], ticket_id=999_999)
    assert result.created_ticket


def test_known_customer_id_gets_new_handles(inboxes):
    first = receive(inboxes["form"])
    again = receive(
        inboxes["phone"],
        sender=SenderHandle("phone", "06-1234-5678"),
        customer_id=first.customer_id,
    )
    assert again.customer_id == first.customer_id
    assert Identity.objects.filter(customer_id=first.customer_id).count() == 2


def test_message_to_merged_customer_goes_to_survivor(inboxes, admin):
    from madoguchi.tickets.actions import do_merge_customers

    a = receive(inboxes["form"], sender=SenderHandle("email", "a@example.jp"))
    b = receive(inboxes["form"], sender=SenderHandle("email", "b@example.jp"))
    do_merge_customers(
        admin, Customer.objects.get(pk=a.customer_id), Customer.objects.get(pk=b.customer_id)
    )
    by_id = receive(inboxes["api"], customer_id=a.customer_id, sender=None)
    assert by_id.customer_id == b.customer_id
    by_old_email = receive(inboxes["form"], sender=SenderHandle("email", "a@example.jp"))
    assert by_old_email.customer_id == b.customer_id


def test_html_only_message_is_sanitised_and_has_text(inboxes):
    result = receive(
        inboxes["form"],
        body_text="",
        body_html='<p>こんにちは<script>alert(1)</script><a href="javascript:x()">リンク</a></p>',
    )
    message = Message.objects.get(pk=result.message_id)
    assert "<script" not in message.body_html and "javascript:" not in message.body_html
    assert "こんにちは" in message.body_text


def test_attachments_are_stored_under_safe_names(inboxes, settings):
    result = receive(
        inboxes["form"],
        attachments=[InboundAttachment("../../注文書.pdf", "application/pdf", b"%PDF-1.4 data")],
    )
    attachment = Attachment.objects.get(message_id=result.message_id)
    assert attachment.filename == "../../注文書.pdf"
    assert attachment.size == 13
    assert ".." not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert attachment.file.name.startswith(f"attachments/{result.ticket_id}/")
    with attachment.file.open("rb") as fh:
        assert fh.read() == b"%PDF-1.4 data"


def test_events_are_dispatched_after_commit(inboxes, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = receive(inboxes["form"])
        assert received == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert received == [
        events.TicketCreated(ticket_id=result.ticket_id, channel="form"),
        events.MessageReceived(ticket_id=result.ticket_id, message_id=result.message_id),
    ]


def test_no_events_when_the_transaction_rolls_back(
    inboxes, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            receive(inboxes["form"])
            raise Boom
    assert callbacks == []
    assert received == []
    assert counts()["messages"] == 0


@pytest.mark.django_db(transaction=True)
def test_events_follow_real_commits_and_rollbacks(inboxes, received):
    with pytest.raises(Boom), transaction.atomic():
        receive(inboxes["form"])
        raise Boom
    assert received == [] and Ticket.objects.count() == 0
    result = receive(inboxes["form"])
    assert [type(e) for e in received] == [events.TicketCreated, events.MessageReceived]
    assert received[1].message_id == result.message_id


def test_failing_subscriber_does_not_break_ingest_or_others(
    inboxes, received, django_capture_on_commit_callbacks
):
    def broken(event: events.Event) -> None:
        raise RuntimeError("subscriber bug")

    events.subscribe(events.TicketCreated, broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = receive(inboxes["form"])
    finally:
        events.unsubscribe(events.TicketCreated, broken)
    assert Ticket.objects.filter(pk=result.ticket_id).exists()
    assert len(received) == 2


BAD_INBOUND = [
    ({"body_text": ""}, ValidationFailed, "empty_message"),
    ({"body_text": " \n\t "}, ValidationFailed, "empty_message"),
    ({"sender": None}, ValidationFailed, "missing_sender"),
    ({"external_id": "x" * 256}, ValidationFailed, "invalid_external_id"),
    ({"sender": SenderHandle("email", "not-an-address")}, ValidationFailed, "invalid_handle"),
    ({"sender": SenderHandle("email", "taro@@example.jp")}, ValidationFailed, "invalid_handle"),
    ({"sender": SenderHandle("phone", "12")}, ValidationFailed, "invalid_handle"),
    ({"sender": SenderHandle("phone", "電話ください")}, ValidationFailed, "invalid_handle"),
    ({"sender": SenderHandle("pigeon", "coo")}, ValidationFailed, "invalid_handle"),
    ({"sender": SenderHandle("line", "   ")}, ValidationFailed, "invalid_handle"),
    (
        {"extra_handles": [SenderHandle("phone", "not a phone")]},
        ValidationFailed,
        "invalid_handle",
    ),
    ({"priority": "asap"}, ValidationFailed, "invalid_priority"),
    ({"tags": [1, 2]}, ValidationFailed, "invalid_tags"),
    ({"direction": "sideways"}, ValidationFailed, "invalid_direction"),
    ({"direction": "out"}, ValidationFailed, "invalid_direction"),
    ({"customer_id": 987_654, "sender": None}, NotFound, "customer_not_found"),
    ({"logged_by_agent_id": 987_654}, NotFound, "agent_not_found"),
]


@pytest.mark.parametrize(("fields", "error", "code"), BAD_INBOUND)
def test_bad_inbound_is_refused_and_writes_nothing(inboxes, fields, error, code):
    with pytest.raises(error) as info:
        receive(inboxes["form"], **fields)
    assert info.value.code == code
    assert str(info.value.message)
    assert counts() == dict.fromkeys(counts(), 0)


def test_unknown_inbox_is_not_found(inboxes):
    message = inbound(inboxes["form"])
    message.inbox_id = 987_654
    with pytest.raises(NotFound) as info:
        ingest(message)
    assert info.value.code == "inbox_not_found"
    assert counts() == dict.fromkeys(counts(), 0)


def test_oversized_attachment_is_refused(inboxes, settings):
    settings.MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(ValidationFailed) as info:
        receive(inboxes["form"], attachments=[InboundAttachment("a.png", "image/png", b"x" * 11)])
    assert info.value.code == "attachment_too_large"
    assert counts() == dict.fromkeys(counts(), 0)


def test_failure_midway_rolls_back_rows_and_files(inboxes, settings, monkeypatch):
    def fail(ticket: Ticket, body_text: str, *, new_ticket: bool) -> None:
        raise Boom

    monkeypatch.setattr(ingest_module, "index_new_message", fail)
    with pytest.raises(Boom):
        receive(inboxes["form"], attachments=[InboundAttachment("a.png", "image/png", b"png")])
    assert counts() == dict.fromkeys(counts(), 0)
    stored = [p for p in (settings.MEDIA_ROOT / "attachments").rglob("*") if p.is_file()]
    assert stored == []


def test_agent_logged_contact_needs_write_and_scope(inboxes, make_agent):
    viewer = make_agent("viewer")
    with pytest.raises(Forbidden):
        receive(inboxes["phone"], logged_by_agent_id=viewer.pk)
    outsider = make_agent("outsourced")
    with pytest.raises(NotFound) as info:
        receive(inboxes["phone"], logged_by_agent_id=outsider.pk)
    assert info.value.code == "inbox_not_found"
    assert counts() == dict.fromkeys(counts(), 0)
    inboxes["phone"].granted_agents.add(outsider)
    result = receive(inboxes["phone"], logged_by_agent_id=outsider.pk)
    assert Message.objects.get(pk=result.message_id).author_agent_id == outsider.pk


def test_outsourced_agent_cannot_log_onto_a_ticket_outside_their_grant(inboxes, make_agent):
    other = receive(inboxes["email"])
    outsider = make_agent("outsourced")
    inboxes["phone"].granted_agents.add(outsider)
    before = counts()
    with pytest.raises(NotFound) as info:
        receive(inboxes["phone"], logged_by_agent_id=outsider.pk, ticket_id=other.ticket_id)
    assert info.value.code == "ticket_not_found"
    assert counts() == before


def test_domain_errors_carry_translated_messages(inboxes):
    from django.utils import translation

    with pytest.raises(DomainError) as info:
        receive(inboxes["form"], body_text="")
    with translation.override("en"):
        shown = info.value.as_dict()
    assert shown == {"code": "empty_message", "message": "The message is empty.", "details": None}
