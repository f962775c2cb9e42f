"""do_reply per channel: To / Cc / Subject for email, character limits for plain-text channels,
and do_apply_macro with the stale guard and attachments."""

from __future__ import annotations

import pytest

from madoguchi.core.errors import Conflict, ValidationFailed
from madoguchi.customers.models import Identity
from madoguchi.inboxes.delivery import deliver
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.inboxes.models import Outbox
from madoguchi.tickets.actions import do_apply_macro, do_reply
from madoguchi.tickets.actions.replies import NewAttachment
from madoguchi.tickets.models import Macro, Message, Ticket
from madoguchi.tickets.reply_limits import REPLY_LIMITS, reply_limit
from tests.inboxes.factories import receive
from tests.inboxes.smtp import smtp_down, smtp_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(inboxes):  # type: ignore[no-untyped-def]
    result = receive(
        inboxes["email"],
        sender=SenderHandle("email", "taro@example.jp"),
        sender_name="山田 太郎",
        subject="配送状況の確認",
        body_text="注文した商品がまだ届きません。",
    )
    ticket = Ticket.objects.get(pk=result.ticket_id)
    Identity.objects.create(
        customer_id=ticket.customer_id, kind="email", handle="taro.work@example.co.jp"
    )
    return ticket


def _counts() -> tuple[int, int]:
    return Message.objects.count(), Outbox.objects.count()


def test_email_reply_to_another_address_of_the_customer_with_cc_and_subject(
    ticket,
    agent,
    smtp_server,  # noqa: F811
):
    message = do_reply(
        agent,
        ticket.pk,
        "山田様\nお届け予定日をご案内します。",
        to="TARO.WORK@example.co.jp",
        cc=["shipping@shop.test", " ", "taro.work@example.co.jp", "boss@example.jp"],
        subject="Re: 配送状況の確認",
    )
    assert message.subject == "Re: 配送状況の確認"
    assert message.meta["route"] == {
        "transport": "email",
        "to": "taro.work@example.co.jp",
        "cc": ["shipping@shop.test", "boss@example.jp"],
    }
    assert deliver(Outbox.objects.get(message=message).pk) == "sent"
    [envelope] = smtp_server.envelopes
    assert sorted(envelope.rcpt_tos) == sorted(
        ["taro.work@example.co.jp", "shipping@shop.test", "boss@example.jp"]
    )
    [mail] = smtp_server.messages
    assert [a.addr_spec for a in mail["Cc"].addresses] == ["shipping@shop.test", "boss@example.jp"]
    assert mail["To"].addresses[0].addr_spec == "taro.work@example.co.jp"
    assert mail["Subject"] == f"Re: 配送状況の確認 [#{ticket.number}]"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"to": "stranger@example.jp"}, "invalid_recipient"),
        ({"cc": ["not-an-address"]}, "invalid_cc"),
        ({"cc": [f"p{i}@example.jp" for i in range(11)]}, "too_many_cc"),
        ({"subject": "件名\r\nBcc: evil@example.jp"}, "invalid_subject"),
        ({"subject": "x" * 251}, "invalid_subject"),
        ({"internal": True, "cc": ["boss@example.jp"]}, "recipients_not_mail"),
    ],
)
def test_bad_mail_headers_write_nothing(ticket, agent, kwargs, code):
    before = _counts()
    with pytest.raises(ValidationFailed) as info:
        do_reply(agent, ticket.pk, "ご連絡いたします。", **kwargs)
    assert info.value.code == code and info.value.status == 422
    assert _counts() == before


def test_cc_on_a_channel_that_is_not_mail_is_refused(inboxes, agent):
    result = receive(inboxes["sms"], sender=SenderHandle("phone", "+819012345678"), body_text="hi")
    with pytest.raises(ValidationFailed) as info:
        do_reply(agent, result.ticket_id, "はい", cc=["boss@example.jp"])
    assert info.value.code == "recipients_not_mail"


@pytest.mark.parametrize(("kind", "limit"), sorted(REPLY_LIMITS.items()))
def test_plain_text_channels_enforce_their_limit(inboxes, agent, kind, limit):
    assert reply_limit(kind) == limit
    result = receive(inboxes[kind], sender=SenderHandle("phone", "+819012345678"), body_text="?")
    before = _counts()
    with pytest.raises(ValidationFailed) as info:
        do_reply(agent, result.ticket_id, "あ" * (limit + 1))
    assert info.value.code == "reply_too_long"
    assert info.value.details == {"limit": limit, "length": limit + 1}
    assert _counts() == before
    assert do_reply(agent, result.ticket_id, "あ" * limit).body_text == "あ" * limit
    # Notes are not sent anywhere: no limit but the general one.
    assert do_reply(agent, result.ticket_id, "メモ" * limit, internal=True).is_internal


def test_email_has_no_channel_limit():
    assert reply_limit("email") is None


def test_macro_applies_with_stale_guard_attachments_and_own_status(ticket, agent, inboxes):
    macro = Macro.objects.create(
        name="お詫び", body="{{customer.name}} 様、申し訳ございません。", set_status="pending",
        set_priority="high", add_tags=["お詫び"],
    )  # fmt: skip
    seen = Message.objects.filter(ticket=ticket).latest("pk").pk
    receive(inboxes["email"], ticket_id=ticket.pk, body_text="まだですか？")
    with pytest.raises(Conflict) as info:
        do_apply_macro(agent, ticket.pk, macro.pk, expected_last_message_id=seen)
    assert info.value.code == "stale_ticket"
    ticket.refresh_from_db()
    assert ticket.priority != "high" and not ticket.tags.exists()
    newest = Message.objects.filter(ticket=ticket).latest("pk").pk
    message = do_apply_macro(
        agent,
        ticket.pk,
        macro.pk,
        expected_last_message_id=newest,
        attachments=[NewAttachment("お詫び状.pdf", "application/pdf", b"%PDF-1.4")],
        set_status="solved",
        cc=["boss@example.jp"],
    )
    assert message is not None
    assert message.body_text == "山田 太郎 様、申し訳ございません。"
    assert [a.filename for a in message.attachments.all()] == ["お詫び状.pdf"]
    assert message.meta["route"]["cc"] == ["boss@example.jp"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("solved", "high")
    assert list(ticket.tags.values_list("name", flat=True)) == ["お詫び"]


def test_macro_as_note_changes_fields_but_sends_nothing(ticket, agent):
    macro = Macro.objects.create(name="保留", body="社内: 在庫確認中", set_status="on_hold")
    note = do_apply_macro(agent, ticket.pk, macro.pk, internal=True)
    assert note is not None and note.is_internal
    assert not Outbox.objects.filter(message=note).exists()
    ticket.refresh_from_db()
    assert ticket.status == "on_hold"


def test_a_note_sets_the_status_only_when_one_is_chosen(agent, ticket):
    """A note never opens a new ticket by itself, but the status the agent picked applies."""
    assert ticket.status == "new"
    do_reply(agent, ticket.pk, "社内メモ", internal=True)
    ticket.refresh_from_db()
    assert ticket.status == "new"
    do_reply(agent, ticket.pk, "返品待ち", internal=True, set_status="pending")
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    assert not Outbox.objects.filter(message__ticket=ticket).exists()
