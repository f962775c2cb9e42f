"""The store → process hand-off and the lean bounce look-up give the same results as the
database path, in fewer statements."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from madoguchi.connectors.email.handoff import Handoff
from madoguchi.connectors.email.inbound import process_raw, store_raw
from madoguchi.inboxes.models import RawMail, RawMailState
from madoguchi.tickets.models import Message, Ticket

from .mails import mail


def _fields(row: RawMail) -> tuple[object, ...]:
    return (
        row.state,
        row.kind,
        row.error,
        row.ticket_id,
        row.message_id,
        row.header_message_id,
        row.subject,
        row.sender,
        row.attempts,
        row.processed_at,
    )


def _rawmail_reads(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "inboxes_rawmail" in q["sql"]
    ]


@pytest.mark.django_db(transaction=True)
def test_a_fresh_store_is_processed_without_reading_it_back(inboxes) -> None:  # type: ignore[no-untyped-def]
    inbox = inboxes["email"]
    stored = store_raw(inbox.pk, mail(subject="届きません"), source="smtp")
    with CaptureQueriesContext(connection) as queries:
        done = process_raw(stored.pk)
    assert _rawmail_reads(queries) == []
    assert done.state == RawMailState.INGESTED
    assert stored.state == RawMailState.PENDING  # the caller's object is left as it was
    ticket = Ticket.objects.get(pk=done.ticket_id)
    assert ticket.subject == "届きません"
    # What process_raw returns is what it wrote.
    assert _fields(done) == _fields(RawMail.objects.get(pk=stored.pk))

    # Again (re-process): read from the database, same ticket, one more attempt.
    with CaptureQueriesContext(connection) as queries:
        again = process_raw(stored.pk)
    assert _rawmail_reads(queries)
    assert (again.state, again.ticket_id, again.attempts) == (
        RawMailState.INGESTED,
        done.ticket_id,
        2,
    )
    assert _fields(again) == _fields(RawMail.objects.get(pk=stored.pk))
    assert Message.objects.filter(ticket_id=done.ticket_id).count() == 1


def test_inside_a_transaction_nothing_is_handed_over(inboxes) -> None:  # type: ignore[no-untyped-def]
    # The test runs in a transaction: the store is not committed yet, so no hand-off.
    inbox = inboxes["email"]
    stored = store_raw(inbox.pk, mail(), source="smtp")
    with CaptureQueriesContext(connection) as queries:
        done = process_raw(stored.pk)
    assert _rawmail_reads(queries)
    assert done.state == RawMailState.INGESTED
    assert _fields(done) == _fields(RawMail.objects.get(pk=stored.pk))


def test_the_same_bytes_twice_return_the_first_row_and_keep_the_transaction(inboxes) -> None:  # type: ignore[no-untyped-def]
    inbox = inboxes["email"]
    raw = mail()
    first = store_raw(inbox.pk, raw, source="smtp")
    with transaction.atomic():
        twin = store_raw(inbox.pk, raw, source="imap")
        # The twin's failed INSERT rolled back to its savepoint only.
        assert RawMail.objects.filter(inbox=inbox).count() == 1
    assert twin.pk == first.pk
    assert twin.source == "smtp"


def test_a_bounce_about_mail_we_never_sent_needs_no_transaction(inboxes) -> None:  # type: ignore[no-untyped-def]
    inbox = inboxes["email"]
    bounce = (
        b"From: MAILER-DAEMON@mx.example.jp\r\nTo: support@shop.test\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx.example.jp>\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain\r\n\r\nUser unknown.\r\n"
        b"--XX\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.jp\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@example.jp\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--XX\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"Message-ID: <someone-else@elsewhere.example>\r\nSubject: hello\r\n"
        b"--XX--\r\n"
    )
    stored = store_raw(inbox.pk, bounce, source="smtp")
    with CaptureQueriesContext(connection) as queries:
        done = process_raw(stored.pk)
    assert (done.state, done.kind, done.ticket_id) == (RawMailState.BOUNCE, "bounce", None)
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert not [s for s in sql if "SAVEPOINT" in s]  # no transaction was opened for it
    assert not Ticket.objects.exists()


def test_the_handoff_is_bounded_and_short_lived(inboxes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handoff = Handoff()
    row = RawMail(pk=1)
    for pk in range(1, Handoff.MAX_ITEMS + 3):
        handoff.put(pk, b"x" * 10, row, frozenset())
    assert handoff.take(1) is None and handoff.take(2) is None  # the oldest went
    assert handoff.take(3) is not None
    assert handoff.take(3) is None  # taken once

    now = [1000.0]
    monkeypatch.setattr("madoguchi.connectors.email.handoff.time.monotonic", lambda: now[0])
    handoff.put(50, b"y", row, frozenset())
    now[0] += Handoff.FRESH_SECONDS + 1
    assert handoff.take(50) is None  # too old: the caller reads the database instead

    monkeypatch.setattr(Handoff, "MAX_BYTES", 100)
    small = Handoff()
    small.put(1, b"a" * 60, row, frozenset())
    small.put(2, b"b" * 60, row, frozenset())  # over the byte bound: the first goes
    assert small.take(1) is None and small.take(2) is not None
    small.put(3, b"c" * 101, row, frozenset())  # larger than the bound: never kept
    assert small.take(3) is None
