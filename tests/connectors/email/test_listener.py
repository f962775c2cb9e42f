"""smtplib → our SMTP listener over real sockets: only stored mail is acknowledged."""

from __future__ import annotations

import hashlib
import smtplib
import socket

import pytest
from django.db import OperationalError

from madoguchi.connectors.email import inbound, listener
from madoguchi.connectors.email.inbound import raw_bytes
from madoguchi.connectors.email.listener import MailListener
from madoguchi.inboxes.models import RawMail
from tests.connectors.email.mails import mail

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_listener(inboxes):  # type: ignore[no-untyped-def]
    server = MailListener("127.0.0.1", _free_port()).start()
    yield server
    server.stop()


def _client(server: MailListener) -> smtplib.SMTP:
    client = smtplib.SMTP(server.host, server.port, timeout=10)
    client.ehlo("client.example.jp")
    return client


def _crlf(raw: bytes) -> bytes:
    """Wire form: CRLF line ends, ending in CRLF, so what we send is what is stored."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_accepted_recipient_is_stored_then_becomes_a_ticket(smtp_listener, inboxes):
    raw = _crlf(mail(subject="SMTP経由のお問い合わせ", body="配送状況を教えてください。"))
    with _client(smtp_listener) as client:
        refused = client.sendmail("taro@example.jp", ["support@shop.test"], raw)
    assert refused == {}
    stored = RawMail.objects.get()
    assert stored.inbox_id == inboxes["email"].pk
    assert (stored.source, stored.source_ref) == ("smtp", "support@shop.test")
    assert stored.sha256 == hashlib.sha256(raw).hexdigest()
    assert smtp_listener.handler.wait_idle(30)
    stored.refresh_from_db()
    assert stored.state == "ingested", stored.error
    assert stored.ticket is not None
    assert stored.ticket.subject == "SMTP経由のお問い合わせ"


def test_sub_address_and_case_are_accepted(smtp_listener, inboxes):
    raw = _crlf(mail(to="support+t.2s-abcdefghij@shop.test"))
    with _client(smtp_listener) as client:
        assert client.mail("a@example.jp")[0] == 250
        code, _ = client.rcpt("SUPPORT+t.2s-abcdefghij@Shop.Test")
        assert code == 250
        assert client.data(raw)[0] == 250
    assert RawMail.objects.get().source_ref == "SUPPORT+t.2s-abcdefghij@Shop.Test"
    smtp_listener.handler.wait_idle(30)


def test_unknown_or_inactive_recipient_gets_550(smtp_listener, inboxes):
    with _client(smtp_listener) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("a@example.jp", ["sales@shop.test"], _crlf(mail(to="sales@shop.test")))
        assert refused.value.recipients["sales@shop.test"][0] == 550
    inboxes["email"].is_active = False
    inboxes["email"].save()
    with _client(smtp_listener) as client:
        client.mail("a@example.jp")
        code, reply = client.rcpt("support@shop.test")
    assert code == 550 and b"5.1.1" in reply
    assert not RawMail.objects.exists()


def test_one_good_recipient_among_bad_ones_is_delivered(smtp_listener, inboxes):
    raw = _crlf(mail())
    with _client(smtp_listener) as client:
        refused = client.sendmail("a@example.jp", ["nobody@shop.test", "support@shop.test"], raw)
    assert list(refused) == ["nobody@shop.test"]
    assert RawMail.objects.count() == 1
    smtp_listener.handler.wait_idle(30)


def test_oversized_mail_gets_552_and_nothing_is_stored(inboxes, settings):
    settings.MAIL_MAX_BYTES = 2000
    big = _crlf(mail(body="大きな添付ファイル。" * 400))
    assert len(big) > 2000
    with MailListener("127.0.0.1", _free_port()) as server, _client(server) as client:
        # Announced size (SIZE extension): refused at MAIL FROM.
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("a@example.jp", ["support@shop.test"], big)
        assert refused.value.smtp_code == 552
        client.rset()
        # No SIZE announced: refused after DATA.
        assert client.mail("a@example.jp")[0] == 250
        assert client.rcpt("support@shop.test")[0] == 250
        code, _ = client.data(big)
        assert code == 552
    assert not RawMail.objects.exists()


def test_database_failure_answers_451_and_acknowledges_nothing(smtp_listener, monkeypatch):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(inbound, "store_raw", broken)
    with _client(smtp_listener) as client:
        with pytest.raises(smtplib.SMTPDataError) as failed:
            client.sendmail("a@example.jp", ["support@shop.test"], _crlf(mail()))
    assert failed.value.smtp_code == 451
    assert not RawMail.objects.exists()


def test_recipient_lookup_failure_answers_451(smtp_listener, monkeypatch):
    def broken(address: str) -> int:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(listener, "inbox_for_recipient", broken)
    with _client(smtp_listener) as client:
        client.mail("a@example.jp")
        assert client.rcpt("support@shop.test")[0] == 451


# ① (NEC row 13) inside ISO-2022-JP, as Windows mailers write it; 8-bit CP932 with ①㈱髙～.
ISO_2022_JP_NEC = "ご注文の荷物".encode("iso-2022-jp")[:-3] + b"\x1b$B-!\x1b(B"
CP932_8BIT = "①ご注文の㈱髙島屋様宛ての荷物が届きません～。".encode("cp932")


@pytest.mark.parametrize(
    ("charset", "body", "cte"),
    [("iso-2022-jp", ISO_2022_JP_NEC, "7bit"), ("shift_jis", CP932_8BIT, "8bit")],
)
def test_japanese_legacy_bytes_are_kept_byte_exact(smtp_listener, charset, body, cte):
    head = (
        "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\n"
        "To: support@shop.test\r\n"
        "Subject: =?ISO-2022-JP?B?GyRCJC5MZCQkOWckbyQ7GyhC?=\r\n"
        f"Message-ID: <legacy-{charset}@example.jp>\r\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0900\r\n"
        "MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    ).encode("ascii")
    raw = head + body + b"\r\n"
    with _client(smtp_listener) as client:
        assert client.sendmail("yamada@example.jp", ["support@shop.test"], raw) == {}
    stored = RawMail.objects.get()
    assert stored.sha256 == hashlib.sha256(raw).hexdigest()
    assert raw_bytes(stored) == raw
    assert smtp_listener.handler.wait_idle(30)


def test_bounces_with_a_null_sender_are_accepted(smtp_listener):
    raw = _crlf(
        mail(
            sender="MAILER-DAEMON@mx.example.jp",
            subject="Undelivered Mail Returned to Sender",
            body="This is the mail system at host mx.example.jp.",
        )
    )
    with _client(smtp_listener) as client:
        assert client.sendmail("", ["support@shop.test"], raw) == {}
    assert RawMail.objects.get().sha256 == hashlib.sha256(raw).hexdigest()
    assert smtp_listener.handler.wait_idle(30)
