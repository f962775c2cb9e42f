"""Replies through the outbox to real SMTP servers: headers, envelope, TLS/auth, refusals."""

# ruff: noqa: F811  (fixtures imported from the shared SMTP modules)

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.inboxes.delivery import deliver
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.lib.mail import tokens
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Delivery, Message, Ticket
from tests.inboxes.factories import receive
from tests.inboxes.smtp import smtp_down, smtp_server  # noqa: F401  (fixtures)

from .smtp_tls import (  # noqa: F401  (fixtures)
    PASSWORD,
    USERNAME,
    picky_server,
    ssl_server,
    starttls_server,
    tls_cert,
)

CUSTOMER_ID = "<CAF1234@mail.example.jp>"


@pytest.fixture
def email_ticket(inboxes) -> Ticket:
    result = receive(
        inboxes["email"],
        external_id=CUSTOMER_ID,
        sender=SenderHandle("email", "hanako@example.jp"),
        sender_name="佐々木 花子",
        subject="RE: Ｒｅ：注文の確認",
        body_text="注文番号 1001 の配送日を教えてください。",
    )
    return Ticket.objects.get(pk=result.ticket_id)


def outbox_of(message: Message) -> Outbox:
    return Outbox.objects.get(message=message)


def reply(agent, ticket, text="ご連絡ありがとうございます。", **meta_route) -> Message:
    message = do_reply(agent, ticket.pk, text, cc=meta_route.pop("cc", None))
    if meta_route:
        meta = {**message.meta, "route": {**message.meta["route"], **meta_route}}
        Message.objects.filter(pk=message.pk).update(meta=meta)
    return message


def test_reply_headers_thread_in_every_client(email_ticket, agent, smtp_server):
    message = reply(agent, email_ticket, cc=["kazuki@example.jp"], bcc=["manager@shop.test"])
    outbox = outbox_of(message)
    assert deliver(outbox.pk) == "sent"
    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "support@shop.test"
    assert envelope.rcpt_tos == ["hanako@example.jp", "kazuki@example.jp", "manager@shop.test"]
    [mail] = smtp_server.messages
    assert b"manager@shop.test" not in envelope.original_content  # Bcc: delivered, not shown
    assert mail["Bcc"] is None
    assert mail["To"].addresses[0].addr_spec == "hanako@example.jp"
    assert mail["To"].addresses[0].display_name == "佐々木 花子"
    assert mail["Cc"] == "kazuki@example.jp"
    assert mail["From"].addresses[0].display_name == "窓口テスト商店"
    assert mail["Subject"] == f"Re: 注文の確認 [#{email_ticket.number}]"
    assert mail["In-Reply-To"] == CUSTOMER_ID
    assert mail["References"] == CUSTOMER_ID
    token = tokens.ticket_token(email_ticket.pk)
    assert mail["Reply-To"] == f"support+{token}@shop.test"
    assert mail["Message-ID"] == f"<{outbox.idempotency_key}.{token}@shop.test>"
    assert mail["X-Madoguchi-Loop"] == "support@shop.test"
    assert mail["X-Madoguchi-Ticket"] == str(email_ticket.number)
    assert mail["Auto-Submitted"] is None and mail["X-Auto-Response-Suppress"] is None
    message.refresh_from_db()
    assert message.external_id == mail["Message-ID"]


def test_references_grow_with_the_conversation(email_ticket, agent, smtp_server):
    first = reply(agent, email_ticket, "一通目の返信です。")
    deliver(outbox_of(first).pk)
    receive(
        email_ticket.inbox,
        external_id="<CAF5678@mail.example.jp>",
        ticket_id=email_ticket.pk,
        sender=SenderHandle("email", "hanako@example.jp"),
        subject=f"Re: 注文の確認 [#{email_ticket.number}]",
    )
    second = reply(agent, email_ticket, "二通目の返信です。")
    deliver(outbox_of(second).pk)
    one, two = smtp_server.messages
    assert two["In-Reply-To"] == "<CAF5678@mail.example.jp>"
    assert two["References"].split() == [
        CUSTOMER_ID,
        one["Message-ID"],
        "<CAF5678@mail.example.jp>",
    ]
    assert two["Subject"] == one["Subject"] == f"Re: 注文の確認 [#{email_ticket.number}]"
    assert two["Message-ID"] != one["Message-ID"]


def test_automatic_mail_says_so(email_ticket, agent, smtp_server):
    message = reply(agent, email_ticket, "自動応答: お問い合わせを受け付けました。")
    Message.objects.filter(pk=message.pk).update(meta={**message.meta, "automatic": True})
    deliver(outbox_of(message).pk)
    [mail] = smtp_server.messages
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Precedence"] == "auto_reply"
    assert mail["X-Auto-Response-Suppress"] == "All"


def test_agent_signature_wins_over_the_inbox_signature(
    email_ticket,
    agent,
    make_agent,
    smtp_server,
):
    inbox = email_ticket.inbox
    inbox.settings = {"signature": "窓口テスト商店 サポート", "from_name": "窓口サポート"}
    inbox.save()
    agent.signature = "佐藤 花子\n窓口テスト商店"
    agent.save()
    deliver(outbox_of(reply(agent, email_ticket, "一通目")).pk)
    deliver(outbox_of(reply(make_agent("agent", "鈴木"), email_ticket, "二通目")).pk)
    one, two = smtp_server.messages
    text_one = one.get_body(("plain",)).get_content().replace("\r\n", "\n")
    text_two = two.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text_one.endswith("一通目\n\n-- \n佐藤 花子\n窓口テスト商店\n")
    assert text_two.endswith("二通目\n\n-- \n窓口テスト商店 サポート\n")
    assert "佐藤 花子" in one.get_body(("html",)).get_content()
    assert one["From"].addresses[0].display_name == "窓口サポート"


def test_iso_2022_jp_inbox_sends_seven_bit_mail(email_ticket, agent, smtp_server):
    inbox = email_ticket.inbox
    inbox.settings = {"outbound_charset": "iso-2022-jp"}
    inbox.save()
    deliver(outbox_of(reply(agent, email_ticket, "①配送日は㈱窓口より髙橋がご連絡します。")).pk)
    [envelope] = smtp_server.envelopes
    raw = envelope.original_content
    assert all(byte < 0x80 for byte in raw) and b"\x1b$B" in raw
    [mail] = smtp_server.messages
    from madoguchi.lib.mail.jis import decode_cp50220

    payload = mail.get_body(("plain",)).get_payload(decode=True)
    assert decode_cp50220(payload).startswith("①配送日は㈱窓口より髙橋がご連絡します。")


def use_server(inbox, server, security: str, password: str = PASSWORD) -> None:
    inbox.settings = {
        "smtp_host": "127.0.0.1",
        "smtp_port": str(server.port),
        "smtp_security": security,
        "smtp_username": USERNAME,
    }
    inbox.credentials = {"smtp_password": password}
    inbox.save()


def test_inbox_server_with_starttls_and_login(
    email_ticket,
    agent,
    starttls_server,
    smtp_down,  # the global server is down: only the inbox's own one works
):
    use_server(email_ticket.inbox, starttls_server, "starttls")
    assert deliver(outbox_of(reply(agent, email_ticket)).pk) == "sent"
    assert starttls_server.collector.logins == [USERNAME]
    [envelope] = starttls_server.envelopes
    assert envelope.rcpt_tos == ["hanako@example.jp"]
    assert smtp_down.envelopes == []


def test_inbox_server_with_implicit_tls(email_ticket, agent, ssl_server, smtp_down):
    use_server(email_ticket.inbox, ssl_server, "ssl")
    assert deliver(outbox_of(reply(agent, email_ticket)).pk) == "sent"
    assert ssl_server.collector.logins == [USERNAME]
    assert len(ssl_server.envelopes) == 1


def test_wrong_password_is_retried_not_dropped(email_ticket, agent, starttls_server):
    use_server(email_ticket.inbox, starttls_server, "starttls", password="wrong")
    outbox = outbox_of(reply(agent, email_ticket))
    assert deliver(outbox.pk) == "retrying"
    outbox.refresh_from_db()
    assert "authentication failed (535)" in outbox.last_error
    assert starttls_server.envelopes == []


def test_untrusted_certificate_is_not_accepted(
    email_ticket, agent, starttls_server, monkeypatch, tmp_path
):
    other = tmp_path / "empty.pem"
    other.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    use_server(email_ticket.inbox, starttls_server, "starttls")
    outbox = outbox_of(reply(agent, email_ticket))
    assert deliver(outbox.pk) == "retrying"
    outbox.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in outbox.last_error
    assert starttls_server.envelopes == []


def make_due(outbox: Outbox) -> None:
    Outbox.objects.filter(pk=outbox.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_greylisting_451_retries_with_backoff_then_sends(
    email_ticket,
    agent,
    smtp_server,
    settings,
):
    settings.OUTBOX_BACKOFF_SECONDS = 30
    smtp_server.refuse("451 4.7.1 greylisted, try again in 5 minutes")
    outbox = outbox_of(reply(agent, email_ticket))
    started = timezone.now()
    assert deliver(outbox.pk) == "retrying"
    outbox.refresh_from_db()
    first_wait = (outbox.next_attempt_at - started).total_seconds()
    assert 23 <= first_wait <= 37  # 30 s ± 20 %
    assert "451" in outbox.last_error and outbox.last_error_kind == "retryable"
    make_due(outbox)
    assert deliver(outbox.pk) == "retrying"
    outbox.refresh_from_db()
    assert outbox.attempts == 2
    assert (outbox.next_attempt_at - timezone.now()).total_seconds() >= 47  # 60 s − 20 %
    smtp_server.refuse("")
    make_due(outbox)
    assert deliver(outbox.pk) == "sent"
    [mail] = smtp_server.messages
    assert mail["Message-ID"].startswith(f"<{outbox.idempotency_key}.")
    assert Message.objects.get(pk=outbox.message_id).delivery == Delivery.SENT


def test_550_is_a_dead_letter_with_the_reason_shown(email_ticket, agent, smtp_server):
    smtp_server.refuse("550 5.1.1 <hanako@example.jp>: Recipient address rejected")
    message = reply(agent, email_ticket)
    outbox = outbox_of(message)
    assert deliver(outbox.pk) == "dead"
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.DEAD and outbox.last_error_kind == "permanent"
    assert "550" in outbox.last_error and "Recipient address rejected" in outbox.last_error
    assert Message.objects.get(pk=message.pk).delivery == Delivery.FAILED


def test_server_down_is_retried(email_ticket, agent, smtp_down):
    outbox = outbox_of(reply(agent, email_ticket))
    assert deliver(outbox.pk) == "retrying"
    outbox.refresh_from_db()
    assert "unreachable" in outbox.last_error
    smtp_down.start()
    make_due(outbox)
    assert deliver(outbox.pk) == "sent"
    assert len(smtp_down.envelopes) == 1


def test_refused_cc_still_counts_as_sent(email_ticket, agent, picky_server, caplog):
    picky_server.collector.refuse_only["kazuki@example.jp"] = "550 5.1.1 no such user"
    message = reply(agent, email_ticket, cc=["kazuki@example.jp"])
    outbox = outbox_of(message)
    # Sending again would give the customer a second copy: the refused Cc is logged.
    assert deliver(outbox.pk) == "sent"
    [envelope] = picky_server.envelopes
    assert envelope.rcpt_tos == ["hanako@example.jp"]
    assert "kazuki@example.jp 550" in caplog.text


def test_refused_customer_fails_even_when_a_cc_got_it(email_ticket, agent, picky_server):
    picky_server.collector.refuse_only["hanako@example.jp"] = "550 5.2.1 mailbox disabled"
    message = reply(agent, email_ticket, cc=["kazuki@example.jp"])
    outbox = outbox_of(message)
    assert deliver(outbox.pk) == "dead"
    outbox.refresh_from_db()
    assert "hanako@example.jp 550" in outbox.last_error
    assert "delivered to kazuki@example.jp" in outbox.last_error
    [envelope] = picky_server.envelopes
    assert envelope.rcpt_tos == ["kazuki@example.jp"]


def test_invalid_bcc_is_permanent(email_ticket, agent, smtp_server):
    outbox = outbox_of(reply(agent, email_ticket, bcc=["not an address"]))
    assert deliver(outbox.pk) == "dead"
    outbox.refresh_from_db()
    assert "invalid recipient address: not an address" in outbox.last_error
    assert smtp_server.envelopes == []
