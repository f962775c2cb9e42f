"""Issue 4 §3: every threading rule, end to end from raw bytes through receive()."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.connectors.email.inbound import receive
from madoguchi.inboxes.delivery import deliver
from madoguchi.inboxes.models import Outbox, RawMailState
from madoguchi.lib.mail.tokens import reply_address, ticket_token
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Status, Ticket
from tests.inboxes.smtp import smtp_down, smtp_server  # noqa: F401  (fixtures)

from .mails import mail

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "email"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "email"


@pytest.fixture
def inbox(inboxes):  # type: ignore[no-untyped-def]
    return inboxes["email"]


def _in(inbox, raw: bytes):  # type: ignore[no-untyped-def]
    result = receive(inbox.pk, raw, source="smtp")
    assert result.state == RawMailState.INGESTED, result.error
    return result


def test_new_mail_opens_a_ticket_with_the_sender_as_customer(inbox) -> None:  # type: ignore[no-untyped-def]
    raw = _in(inbox, mail())
    ticket = Ticket.objects.get(pk=raw.ticket_id)
    assert ticket.subject == "注文した商品がまだ届きません"
    assert ticket.customer.name == "山田 太郎"
    message = ticket.messages.get()
    assert message.meta["email"]["from"] == "taro@example.jp"
    assert message.meta["email"]["thread_rule"] == "new"
    assert raw.message_id == message.pk


def test_reply_to_our_message_id_stays_in_the_ticket_even_with_a_new_subject(
    inbox,
    agent,
    smtp_server,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    first = _in(inbox, mail())
    reply = do_reply(agent, first.ticket_id, "ご連絡ありがとうございます。確認いたします。")
    assert deliver(Outbox.objects.get(message=reply).pk) == "sent"
    sent = smtp_server.messages[-1]
    ours = sent["Message-ID"]
    assert ticket_token(first.ticket_id) in ours
    answer = mail(subject="別件ですが", in_reply_to=ours, references=ours)
    second = _in(inbox, answer)
    assert second.ticket_id == first.ticket_id
    assert (
        Ticket.objects.get(pk=first.ticket_id).messages.last().meta["email"]["thread_rule"]
        == "own_message_id"
    )


def test_known_message_id_in_references_threads(inbox) -> None:  # type: ignore[no-untyped-def]
    first = _in(inbox, mail(message_id="<first-001@example.jp>"))
    # The customer writes again, replying to their own first mail.
    follow = mail(subject="追加の質問", references="<other@x.jp> <first-001@example.jp>")
    assert _in(inbox, follow).ticket_id == first.ticket_id


def test_reply_address_token_threads_and_a_forged_token_does_not(inbox) -> None:  # type: ignore[no-untyped-def]
    first = _in(inbox, mail())
    to = reply_address(inbox.address, first.ticket_id)
    assert _in(inbox, mail(to=to, subject="件名なしの返信")).ticket_id == first.ticket_id
    token = ticket_token(first.ticket_id)
    forged = to.replace(token, token[:-1] + ("a" if token[-1] != "a" else "b"))
    assert _in(inbox, mail(to=forged, subject="偽物")).ticket_id != first.ticket_id


def test_subject_tag_threads_only_for_a_participant(inbox) -> None:  # type: ignore[no-untyped-def]
    first = _in(inbox, mail())
    number = Ticket.objects.get(pk=first.ticket_id).number
    same = _in(inbox, mail(subject=f"Re: お問い合わせ [#{number}]"))
    assert same.ticket_id == first.ticket_id
    stranger = _in(inbox, mail(sender="他人 <someone@else.jp>", subject=f"[#{number}] 私の注文も"))
    assert stranger.ticket_id != first.ticket_id


def test_a_cc_participant_may_use_the_subject_tag(inbox) -> None:  # type: ignore[no-untyped-def]
    first = _in(inbox, mail(to="support@shop.test, 山田 花子 <hanako@example.jp>"))
    number = Ticket.objects.get(pk=first.ticket_id).number
    hanako = _in(inbox, mail(sender="hanako@example.jp", subject=f"Re: [#{number}]"))
    assert hanako.ticket_id == first.ticket_id


def test_mail_on_a_closed_ticket_opens_a_follow_up(inbox) -> None:  # type: ignore[no-untyped-def]
    first = _in(inbox, mail(message_id="<closed-1@example.jp>"))
    Ticket.objects.filter(pk=first.ticket_id).update(status=Status.CLOSED)
    again = _in(inbox, mail(in_reply_to="<closed-1@example.jp>"))
    assert again.ticket_id != first.ticket_id
    assert Ticket.objects.get(pk=again.ticket_id).messages.get().meta["follow_up_of"] == (
        first.ticket_id
    )


def test_the_same_mail_twice_is_stored_once(inbox) -> None:  # type: ignore[no-untyped-def]
    raw = mail()
    first = receive(inbox.pk, raw, source="imap")
    second = receive(inbox.pk, raw, source="smtp")
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1


def test_same_message_id_through_two_paths_is_one_message(inbox) -> None:  # type: ignore[no-untyped-def]
    a = mail(message_id="<twice@example.jp>")
    b = a.replace(b"Subject:", b"Received: from relay\r\nSubject:", 1)
    first, second = _in(inbox, a), _in(inbox, b)
    assert first.pk != second.pk
    assert first.message_id == second.message_id
    assert Ticket.objects.get().messages.count() == 1


# Gmail (mail_with_quote, multi-received-headers, raw_email2) and Apple Mail (reply …) replies.
GMAIL_OUTLOOK = [
    "chatwoot/reply.eml",
    "chatwoot/in_reply_to.eml",
    "chatwoot/references.eml",
    "chatwoot/mail_with_quote.eml",
    "flanker/multi-received-headers.eml",
    "ruby-mail/raw_email2.eml",
]


@pytest.mark.parametrize("name", GMAIL_OUTLOOK)
def test_client_replies_from_the_fixtures_thread_onto_the_mail_they_answer(
    inbox,
    name: str,  # type: ignore[no-untyped-def]
) -> None:
    import email
    from email.policy import default

    path = FIXTURES / name
    if not path.exists():
        path = SHARED / name
    if not path.exists():
        pytest.skip(f"{name} is neither in tests/fixtures/email nor ../shared/data/email")
    raw = path.read_bytes()
    parsed = email.message_from_bytes(raw, policy=default)
    earlier = (parsed.get("In-Reply-To") or "").split() or (parsed.get("References") or "").split()
    if not earlier:
        pytest.skip(f"{name} has no In-Reply-To or References")
    sender = str(parsed.get("From") or "customer@example.jp")
    first = _in(inbox, mail(sender=sender, message_id=earlier[-1]))
    reply = _in(inbox, raw)
    assert reply.ticket_id == first.ticket_id


OUTLOOK_REPLY = """From: =?iso-2022-jp?B?GyRCOzNFRBsoQiAbJEJCQE86GyhC?= <taro@example.jp>
To: <support@shop.test>
Subject: RE: =?iso-2022-jp?B?GyRCQ2ZKOCQ3JD9Bd0lKGyhC?=
Date: Tue, 1 Dec 2026 19:02:11 +0900
Message-ID: <000a01db4a1e$3c5b2e10$b5118a30$@example.jp>
Thread-Index: AQHbSh47qLx3bX0CQ0yDnFq1VQ6Q2A==
X-Mailer: Microsoft Outlook 16.0
In-Reply-To: {ours}
MIME-Version: 1.0
Content-Type: text/plain; charset="iso-2022-jp"
Content-Transfer-Encoding: 7bit

{body}

-----Original Message-----
From: support@shop.test
Sent: Tuesday, December 1, 2026 6:00 PM
Subject: Re: order
"""


def test_an_outlook_reply_with_only_in_reply_to_threads_and_is_trimmed(
    inbox,
    agent,
    smtp_server,  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    first = _in(inbox, mail())
    reply = do_reply(agent, first.ticket_id, "確認いたします。")
    assert deliver(Outbox.objects.get(message=reply).pk) == "sent"
    ours = smtp_server.messages[-1]["Message-ID"]
    # ① is NEC row 13 (0x2D21), which Windows puts into ISO-2022-JP and Python's codec lacks.
    circled_one = b"\x1b$B-!\x1b(B"
    body = (
        "ありがとうございます。".encode("iso2022_jp")
        + circled_one
        + "の件、了解しました。".encode("iso2022_jp")
    )
    raw = OUTLOOK_REPLY.format(ours=ours, body="BODY").replace("\n", "\r\n").encode()
    raw = raw.replace(b"BODY", body)
    second = _in(inbox, raw)
    assert second.ticket_id == first.ticket_id
    message = Ticket.objects.get(pk=first.ticket_id).messages.get(pk=second.message_id)
    assert message.body_text.strip() == "ありがとうございます。①の件、了解しました。"
    assert message.meta["email"]["trimmed"] is True
