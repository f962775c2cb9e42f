"""Issue 4 §4 end to end: receipts, vacation replies, bounces and our own mail coming back."""

from __future__ import annotations

import pytest

from madoguchi.automation.acknowledgements import may_send_automatic
from madoguchi.connectors.email.inbound import receive
from madoguchi.inboxes.delivery import deliver
from madoguchi.inboxes.models import AutomaticMail, Outbox, RawMailState
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Delivery, Direction, Message, Status, Ticket, TimelineEvent
from tests.inboxes.smtp import smtp_down, smtp_server  # noqa: F401  (fixtures)

from .mails import mail


@pytest.fixture
def inbox(inboxes):  # type: ignore[no-untyped-def]
    box = inboxes["email"]
    box.settings = {"auto_reply": "on"}
    box.save()
    return box


def _deliver_all() -> list[str]:
    return [deliver(pk) for pk in Outbox.objects.order_by("pk").values_list("pk", flat=True)]


def _receipts() -> list[Message]:
    return list(
        Message.objects.filter(meta__automatic="auto_reply", direction=Direction.OUTBOUND).order_by(
            "pk"
        )
    )


def vacation(to_message_id: str, *, n: int = 1) -> bytes:
    return mail(
        subject="自動応答: 不在のお知らせ",
        body="12月5日まで休暇のため不在にしております。戻り次第ご連絡いたします。",
        in_reply_to=to_message_id,
        references=to_message_id,
        headers={"Auto-Submitted": "auto-replied"},
        message_id=f"<vacation-{n}@example.jp>",
    )


@pytest.mark.django_db(transaction=True)
def test_receipt_and_vacation_responder_stop_after_one_message_each(
    inbox,
    smtp_server,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    first = receive(inbox.pk, mail(), source="smtp")
    assert first.state == RawMailState.INGESTED
    assert _deliver_all() == ["sent"]
    receipt = smtp_server.messages[-1]
    assert receipt["Auto-Submitted"] == "auto-replied"
    ticket = Ticket.objects.get(pk=first.ticket_id)
    assert receipt["Subject"] == f"お問い合わせを受け付けました [#{ticket.number}]"
    assert f"#{ticket.number}" in receipt.get_body(("plain",)).get_content()
    # Their vacation responder answers our receipt …
    answer = receive(inbox.pk, vacation(receipt["Message-ID"]), source="smtp")
    assert answer.state == RawMailState.INGESTED
    assert answer.ticket_id == first.ticket_id
    # … which we attach to the ticket and do not answer.
    assert [m.pk for m in _receipts()] == [_receipts()[0].pk]
    assert all(state == "skipped" for state in _deliver_all())
    assert len(smtp_server.messages) == 1
    # Even if it answered again, nothing more goes out.
    receive(inbox.pk, vacation(receipt["Message-ID"], n=2), source="smtp")
    assert len(_receipts()) == 1


def test_an_automatic_mail_does_not_reopen_a_solved_ticket(inbox, agent) -> None:  # type: ignore[no-untyped-def]
    first = receive(inbox.pk, mail(message_id="<q-1@example.jp>"), source="smtp")
    Ticket.objects.filter(pk=first.ticket_id).update(status=Status.SOLVED)
    receive(inbox.pk, vacation("<q-1@example.jp>"), source="smtp")
    assert Ticket.objects.get(pk=first.ticket_id).status == Status.SOLVED
    # A person writing does reopen it.
    receive(inbox.pk, mail(in_reply_to="<q-1@example.jp>", body="まだ届きません"), source="smtp")
    assert Ticket.objects.get(pk=first.ticket_id).status == Status.OPEN


def test_a_vacation_reply_to_nothing_of_ours_opens_no_ticket(inbox) -> None:  # type: ignore[no-untyped-def]
    raw = receive(inbox.pk, vacation("<unknown@elsewhere.jp>"), source="smtp")
    assert raw.state == RawMailState.IGNORED
    assert raw.kind == "auto_reply"
    assert Ticket.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_auto_generated_mail_from_a_shop_system_is_a_ticket_without_receipt(inbox) -> None:  # type: ignore[no-untyped-def]
    raw = receive(
        inbox.pk,
        mail(
            sender="注文システム <noreply@cart.example.jp>",
            subject="【お問い合わせフォーム】返品について",
            headers={"Auto-Submitted": "auto-generated"},
        ),
        source="smtp",
    )
    assert raw.state == RawMailState.INGESTED
    assert _receipts() == []


def test_our_own_mail_coming_back_is_ignored(inbox) -> None:  # type: ignore[no-untyped-def]
    raw = receive(
        inbox.pk,
        mail(sender="窓口テスト商店 <support@shop.test>", headers={"X-Madoguchi-Loop": "x"}),
        source="smtp",
    )
    assert raw.state == RawMailState.IGNORED
    assert raw.kind == "own"
    assert Ticket.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_receipts_are_rate_limited_per_address(inbox) -> None:  # type: ignore[no-untyped-def]
    for n in range(4):
        receive(inbox.pk, mail(subject=f"別々の質問 {n}"), source="smtp")
    assert Ticket.objects.count() == 4
    assert len(_receipts()) == 1
    assert AutomaticMail.objects.filter(address="taro@example.jp").count() == 1
    assert not may_send_automatic("TARO@example.jp".lower())


@pytest.mark.django_db(transaction=True)
def test_no_receipt_when_the_inbox_does_not_send_them(inboxes) -> None:  # type: ignore[no-untyped-def]
    receive(inboxes["email"].pk, mail(), source="smtp")
    assert _receipts() == []


DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.example.jp>
To: support@shop.test
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-ID: <dsn-1@mx.example.jp>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system. Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.jp

Final-Recipient: rfc822; taro@example.jp
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <taro@example.jp>: Recipient address rejected: User unknown

--B
Content-Type: text/rfc822-headers

From: support@shop.test
To: taro@example.jp
Subject: Re: 注文した商品がまだ届きません
Message-ID: {mid}

--B--
"""


def test_a_bounce_marks_our_reply_failed_on_its_ticket(inbox, agent, smtp_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    inbox.settings = {}
    inbox.save()
    first = receive(inbox.pk, mail(), source="smtp")
    reply = do_reply(agent, first.ticket_id, "確認いたします。")
    assert deliver(Outbox.objects.get(message=reply).pk) == "sent"
    ours = smtp_server.messages[-1]["Message-ID"]
    bounce = receive(inbox.pk, DSN.format(mid=ours).replace("\n", "\r\n").encode(), source="smtp")
    assert bounce.state == RawMailState.BOUNCE
    assert bounce.ticket_id == first.ticket_id
    assert bounce.message_id == reply.pk
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED
    assert reply.meta["bounce"]["hard"] is True
    assert reply.meta["bounce"]["recipients"][0]["address"] == "taro@example.jp"
    event = TimelineEvent.objects.get(ticket_id=first.ticket_id, kind="bounce")
    assert event.new_value.startswith("hard:")
    # The bounce is no ticket and no customer message.
    assert Ticket.objects.count() == 1
    assert not Message.objects.filter(ticket_id=first.ticket_id, direction=Direction.INBOUND)[
        1:
    ].exists()
