"""IMAP fetching against the real Dovecot started by the test session."""

from __future__ import annotations

import logging
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email.header import Header
from io import StringIO

import pytest
from django.utils import timezone, translation

from madoguchi.connectors.email.imap import backoff_delay, poll_inbox
from madoguchi.connectors.email.polling import poll_command, poll_due_inboxes
from madoguchi.inboxes.models import MailFolderState, RawMail, RawMailState
from madoguchi.tickets.models import Ticket
from tests.mailserver.dovecot import DovecotServer


def jis_mail(
    subject: str, body: str, *, n: int, date: str = "Tue, 01 Dec 2026 10:00:00 +0900"
) -> bytes:
    """A mail as old Japanese clients send it: ISO-2022-JP body, encoded-word subject."""
    head = (
        f"From: {Header('山田 太郎', 'iso-2022-jp').encode()} <taro{n}@example.jp>\r\n"
        f"To: support@shop.test\r\n"
        f"Subject: {Header(subject, 'iso-2022-jp').encode()}\r\n"
        f"Date: {date}\r\n"
        f"Message-ID: <imap-test-{n}-{id(subject)}@example.jp>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="ISO-2022-JP"\r\n'
        "Content-Transfer-Encoding: 7bit\r\n\r\n"
    )
    return head.encode("ascii") + body.replace("\n", "\r\n").encode("iso-2022-jp") + b"\r\n"


def plain_mail(n: int, subject: str = "Where is my order?") -> bytes:
    return (
        f"From: Customer {n} <customer{n}@example.com>\r\nTo: support@shop.test\r\n"
        f"Subject: {subject} ({n})\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
        f"Message-ID: <plain-{n}@example.com>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Order #{1000 + n} has not arrived yet.\r\n"
    ).encode()


def state_of(inbox, folder: str = "INBOX") -> MailFolderState:  # type: ignore[no-untyped-def]
    return MailFolderState.objects.get(inbox=inbox, folder=folder)


pytestmark = pytest.mark.django_db


def test_first_fetch_makes_tickets_and_leaves_mail_unread(
    dovecot: DovecotServer, imap_user, imap_inbox
):  # type: ignore[no-untyped-def]
    dovecot.append(
        imap_user,
        "INBOX",
        jis_mail("注文の商品が届きません", "株式会社窓口 御中\n商品が届きません。", n=1),
    )
    dovecot.append(imap_user, "INBOX", plain_mail(2))
    dovecot.append(imap_user, "INBOX", plain_mail(3))

    result = poll_inbox(imap_inbox)

    assert result.ok and result.fetched == 3
    raws = list(RawMail.objects.filter(inbox=imap_inbox).order_by("pk"))
    assert [r.source for r in raws] == ["imap"] * 3
    uidvalidity = dovecot.uidvalidity(imap_user, "INBOX")
    assert [r.source_ref for r in raws] == [f"INBOX:{uidvalidity}:{u}" for u in (1, 2, 3)]
    assert [r.state for r in raws] == [RawMailState.INGESTED] * 3
    tickets = Ticket.objects.filter(inbox=imap_inbox)
    assert tickets.count() == 3
    assert tickets.filter(subject="注文の商品が届きません").exists()
    jp = tickets.get(subject="注文の商品が届きません").messages.get()
    assert "株式会社窓口" in jp.body_text and "\ufffd" not in jp.body_text
    state = state_of(imap_inbox)
    assert (state.uidvalidity, state.last_uid, state.fetched, state.backlog) == (
        uidvalidity,
        3,
        3,
        0,
    )
    assert state.failures == 0 and state.last_error == "" and state.last_success_at is not None
    assert state.next_attempt_at > timezone.now()  # next poll after the interval
    # BODY.PEEK: we never set \Seen ourselves (imap_after=keep)
    assert all("\\Seen" not in flags for flags in dovecot.flags(imap_user, "INBOX").values())

    again = poll_inbox(imap_inbox)
    assert again.ok and again.fetched == 0
    assert RawMail.objects.filter(inbox=imap_inbox).count() == 3


def test_mail_read_by_another_client_is_still_fetched(
    dovecot: DovecotServer, imap_user, imap_inbox
):  # type: ignore[no-untyped-def]
    uid = dovecot.append(imap_user, "INBOX", plain_mail(10))
    dovecot.set_flag_seen(imap_user, "INBOX", [uid])  # the shop owner read it on the phone
    dovecot.append(imap_user, "INBOX", plain_mail(11), flags=[r"\Seen"])

    result = poll_inbox(imap_inbox)

    assert result.fetched == 2
    assert Ticket.objects.filter(inbox=imap_inbox).count() == 2


def test_old_mail_arriving_after_downtime_is_fetched(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    dovecot.append(imap_user, "INBOX", plain_mail(20))
    poll_inbox(imap_inbox)
    # delivered late (a backup MX, a restore): old Date header and old internal date
    old = datetime(2019, 4, 1, 9, 0, tzinfo=UTC)
    late = jis_mail("以前の問い合わせ", "古いメール", n=21, date="Mon, 1 Apr 2019 18:00 +0900")
    dovecot.append(imap_user, "INBOX", late, flags=[r"\Seen"], date=old)

    result = poll_inbox(imap_inbox)

    assert result.fetched == 1
    assert Ticket.objects.filter(inbox=imap_inbox, subject="以前の問い合わせ").exists()
    assert state_of(imap_inbox).last_uid == 2


def test_uidvalidity_change_refetches_without_duplicates(
    dovecot: DovecotServer, imap_user, imap_inbox
):  # type: ignore[no-untyped-def]
    imap_inbox.settings["imap_folder"] = "Support"
    imap_inbox.save()
    mails = [jis_mail("返品について", "返品したいです。", n=30), plain_mail(31), plain_mail(32)]
    for raw in mails:
        dovecot.append(imap_user, "Support", raw)
    assert poll_inbox(imap_inbox).fetched == 3
    before = state_of(imap_inbox, "Support").uidvalidity

    # The server rebuilt the folder: new UIDVALIDITY, UIDs start at 1 again, and one new mail
    # now has UID 4, which the old mark (last_uid 3) would have hidden for one UID only and
    # UIDs 1-3 entirely.
    new_validity = dovecot.recreate_folder(imap_user, "Support")
    for raw in [*mails, plain_mail(33)]:
        dovecot.append(imap_user, "Support", raw)

    result = poll_inbox(imap_inbox)

    assert new_validity != before
    folder = result.folders[0]
    assert (folder.fetched, folder.new) == (4, 1)
    state = state_of(imap_inbox, "Support")
    assert (state.uidvalidity, state.last_uid, state.fetched) == (new_validity, 4, 4)
    assert RawMail.objects.filter(inbox=imap_inbox).count() == 4
    assert Ticket.objects.filter(inbox=imap_inbox).count() == 4

    dovecot.append(imap_user, "Support", plain_mail(34))
    assert poll_inbox(imap_inbox).fetched == 1
    assert Ticket.objects.filter(inbox=imap_inbox).count() == 5


def test_uidvalidity_change_of_inbox_keeps_uids(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    for n in (40, 41):
        dovecot.append(imap_user, "INBOX", plain_mail(n))
    poll_inbox(imap_inbox)
    changed = dovecot.change_uidvalidity(imap_user, "INBOX")

    result = poll_inbox(imap_inbox)

    assert (result.folders[0].fetched, result.folders[0].new) == (2, 0)
    assert state_of(imap_inbox).uidvalidity == changed
    assert RawMail.objects.filter(inbox=imap_inbox).count() == 2


def test_after_seen_flags_fetched_mail(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    imap_inbox.settings["imap_after"] = "seen"
    imap_inbox.save()
    for n in (50, 51):
        dovecot.append(imap_user, "INBOX", plain_mail(n))

    poll_inbox(imap_inbox)

    assert all("\\Seen" in flags for flags in dovecot.flags(imap_user, "INBOX").values())
    assert Ticket.objects.filter(inbox=imap_inbox).count() == 2


def test_after_move_moves_to_a_created_folder(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    imap_inbox.settings.update(imap_after="move", imap_move_to="処理済み")
    imap_inbox.save()
    for n in (60, 61):
        dovecot.append(imap_user, "INBOX", plain_mail(n))
    untouched = dovecot.append(imap_user, "Other", plain_mail(62))

    result = poll_inbox(imap_inbox)

    assert result.ok and result.fetched == 2
    assert dovecot.uids(imap_user, "INBOX") == []
    assert len(dovecot.uids(imap_user, "処理済み")) == 2
    assert dovecot.uids(imap_user, "Other") == [untouched]
    assert poll_inbox(imap_inbox).fetched == 0


def test_bad_move_target_keeps_mail_flowing(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    imap_inbox.settings.update(imap_after="move", imap_move_to="done/2026")  # '/' is invalid here
    imap_inbox.save()
    dovecot.append(imap_user, "INBOX", plain_mail(65))

    result = poll_inbox(imap_inbox)

    assert result.ok and result.fetched == 1
    assert dovecot.uids(imap_user, "INBOX") == [1]
    state = state_of(imap_inbox)
    assert state.failures == 0 and "cannot use 'done/2026' for processed mail" in state.last_error


def test_wrong_password_backs_off_without_leaking_it(
    dovecot: DovecotServer, imap_user, imap_inbox, caplog
):  # type: ignore[no-untyped-def]
    secret = "Wrong-Pa55word-xyz"
    imap_inbox.credentials = {"imap_password": secret}
    imap_inbox.save()
    caplog.set_level(logging.DEBUG)
    dovecot.append(imap_user, "INBOX", plain_mail(70))

    result = poll_inbox(imap_inbox)

    assert not result.ok and result.fetched == 0
    state = state_of(imap_inbox)
    assert state.failures == 1
    assert "login failed" in state.last_error and "AUTHENTICATIONFAILED" in state.last_error
    first_delay = (state.next_attempt_at - timezone.now()).total_seconds()
    assert 20 < first_delay <= 30
    poll_inbox(imap_inbox)
    state.refresh_from_db()
    assert state.failures == 2
    assert (state.next_attempt_at - timezone.now()).total_seconds() > 40
    assert secret not in state.last_error and secret not in caplog.text
    assert RawMail.objects.count() == 0

    # fixed password: next poll succeeds and resets the failure count
    imap_inbox.credentials = {"imap_password": dovecot.passwords[imap_user]}
    imap_inbox.save()
    assert poll_inbox(imap_inbox).fetched == 1
    state.refresh_from_db()
    assert (state.failures, state.last_error) == (0, "")


def test_closed_port_is_recorded_not_raised(imap_inbox):  # type: ignore[no-untyped-def]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # bound, never listening: connection refused
        imap_inbox.settings["imap_port"] = str(closed)
        imap_inbox.settings["imap_folder"] = "INBOX, Support"
        imap_inbox.save()
        result = poll_inbox(imap_inbox)
    assert [f.folder for f in result.folders] == ["INBOX", "Support"]
    for folder in ("INBOX", "Support"):
        state = state_of(imap_inbox, folder)
        assert state.failures == 1 and "connection failed" in state.last_error
        assert state.next_attempt_at > timezone.now()


def test_missing_folder_fails_only_that_folder(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    imap_inbox.settings["imap_folder"] = "INBOX,NoSuchFolder"
    imap_inbox.save()
    dovecot.append(imap_user, "INBOX", plain_mail(75))

    result = poll_inbox(imap_inbox)

    assert result.fetched == 1
    assert state_of(imap_inbox).failures == 0
    missing = state_of(imap_inbox, "NoSuchFolder")
    assert missing.failures == 1 and missing.last_error.startswith("folder select failed: NO")


def test_backoff_grows_to_thirty_minutes() -> None:
    assert 24 <= backoff_delay(1) <= 30
    assert 48 <= backoff_delay(2) <= 60
    assert 1440 <= backoff_delay(30) <= 1800


def test_batch_limit_leaves_backlog_for_next_poll(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    for n in range(80, 85):
        dovecot.append(imap_user, "INBOX", plain_mail(n))

    first = poll_inbox(imap_inbox, limit=2, batch=2)
    state = state_of(imap_inbox)
    assert (first.fetched, state.backlog, state.last_uid) == (2, 3, 2)
    assert state.next_attempt_at <= timezone.now()  # due again right away
    second = poll_inbox(imap_inbox, limit=2, batch=2)
    third = poll_inbox(imap_inbox, limit=2, batch=2)
    state.refresh_from_db()
    assert (second.fetched, third.fetched, state.backlog, state.last_uid) == (2, 1, 0, 5)
    assert Ticket.objects.filter(inbox=imap_inbox).count() == 5


def test_oversized_mail_is_left_on_the_server_and_noted(
    dovecot: DovecotServer, imap_user, imap_inbox, settings
):  # type: ignore[no-untyped-def]
    settings.MAIL_MAX_BYTES = 2000
    dovecot.append(imap_user, "INBOX", plain_mail(90) + b"x" * 3000 + b"\r\n")
    dovecot.append(imap_user, "INBOX", plain_mail(91))

    result = poll_inbox(imap_inbox)

    assert result.ok and result.fetched == 1
    state = state_of(imap_inbox)
    assert state.last_uid == 2 and "UID 1 is larger than the size limit" in state.last_error
    assert dovecot.uids(imap_user, "INBOX") == [1, 2]


def test_poll_due_inboxes_respects_the_schedule(
    dovecot: DovecotServer, imap_user, imap_inbox, settings
):  # type: ignore[no-untyped-def]
    settings.IMAP_POLL_SECONDS = 60
    dovecot.append(imap_user, "INBOX", plain_mail(100))
    assert poll_due_inboxes() == 1
    assert poll_due_inboxes() == 0  # polled a moment ago
    dovecot.append(imap_user, "INBOX", plain_mail(101))
    assert poll_due_inboxes(timezone.now() + timedelta(seconds=61)) == 1
    assert RawMail.objects.filter(inbox=imap_inbox).count() == 2


def test_poll_command_reports_each_folder(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    dovecot.append(imap_user, "INBOX", plain_mail(110))
    out = StringIO()
    with translation.override("en"):
        assert poll_command(imap_inbox.slug, out) == 0
    assert f"{imap_inbox.slug} INBOX: 1 fetched (1 new), 0 waiting, last UID 1" in out.getvalue()
    assert poll_command("no-such-inbox", StringIO()) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeper_polls_imap(dovecot: DovecotServer, imap_user, imap_inbox):  # type: ignore[no-untyped-def]
    """The sweeper runs in the worker's own thread (own connection), as in production."""
    from django.db import connections

    from madoguchi.runtime.sweeper import OutboxSweeper

    dovecot.append(imap_user, "INBOX", plain_mail(120))
    looked: list[int] = []

    def one_round() -> None:
        try:
            looked.append(OutboxSweeper(interval=60).run_once())
        finally:
            connections.close_all()

    worker = threading.Thread(target=one_round)
    worker.start()
    worker.join(30)
    assert looked and looked[0] >= 1
    assert RawMail.objects.filter(inbox=imap_inbox, source="imap").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_poll_one_inbox_at_once(
    dovecot: DovecotServer, imap_user, imap_inbox, monkeypatch
):  # type: ignore[no-untyped-def]
    from django.db import connection, connections

    from madoguchi.connectors.email import polling

    if connection.vendor != "postgresql":
        # SQLite's shared in-memory test database locks whole tables between threads, so
        # the race cannot happen the way it does between workers on PostgreSQL.
        pytest.skip("concurrent workers need a server database (run under tests/pgserver.py)")
    for n in range(130, 133):
        dovecot.append(imap_user, "INBOX", plain_mail(n))
    both_read = threading.Barrier(2, timeout=10)
    real_states = polling.folder_states

    def states_then_wait(*args, **kwargs):  # type: ignore[no-untyped-def]
        states = real_states(*args, **kwargs)
        both_read.wait()  # both workers saw the folder as due before either claims it
        return states

    monkeypatch.setattr(polling, "folder_states", states_then_wait)
    counts: list[int] = []

    def worker() -> None:
        try:
            counts.append(poll_due_inboxes())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(counts) == [0, 1]
    assert RawMail.objects.filter(inbox=imap_inbox).count() == 3
    assert state_of(imap_inbox).fetched == 3
    assert Ticket.objects.filter(inbox=imap_inbox).count() == 3


@pytest.mark.django_db(transaction=True)
def test_idle_fetches_new_mail_without_waiting_for_the_poll(
    dovecot: DovecotServer, imap_user, imap_inbox, settings
):  # type: ignore[no-untyped-def]
    from django.db import connections

    from madoguchi.connectors.email.imap_idle import idle_inbox

    settings.IMAP_POLL_SECONDS = 600  # only IDLE can make this fast
    stop = threading.Event()

    def run() -> None:
        try:
            idle_inbox(imap_inbox, stop)
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not MailFolderState.objects.filter(
            inbox=imap_inbox, last_success_at__isnull=False
        ).exists():
            assert time.monotonic() < deadline, "first poll did not happen"
            time.sleep(0.05)
        time.sleep(0.3)  # let the connection enter IDLE
        dovecot.append(
            imap_user, "INBOX", jis_mail("至急確認してください", "届いていません。", n=140)
        )
        while not Ticket.objects.filter(inbox=imap_inbox, subject="至急確認してください").exists():
            assert time.monotonic() < deadline, "IDLE did not fetch the new mail"
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
