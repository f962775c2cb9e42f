"""Nothing is lost: stranded mails are picked up, failed ones can run again after a fix."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from madoguchi.connectors.email import inbound
from madoguchi.connectors.email.inbound import (
    process_stranded,
    raw_bytes,
    receive,
    reprocess_failed,
    store_raw,
)
from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.inboxes.models import RawMail, RawMailState
from madoguchi.tickets.models import Ticket

from .mails import mail


@pytest.fixture
def inbox(inboxes):  # type: ignore[no-untyped-def]
    return inboxes["email"]


def test_raw_mail_is_kept_compressed_and_byte_exact(inbox) -> None:  # type: ignore[no-untyped-def]
    raw = mail(body="了解です。" * 400)
    stored = store_raw(inbox.pk, raw, source="smtp")
    assert raw_bytes(stored) == raw
    assert len(bytes(stored.data)) < len(raw) / 3


def test_refusals_before_storing(inbox, inboxes, settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as empty:
        store_raw(inbox.pk, b"  \r\n", source="smtp")
    assert empty.value.code == "empty_mail"
    with pytest.raises(NotFound) as wrong:
        store_raw(inboxes["line"].pk, mail(), source="smtp")
    assert wrong.value.code == "inbox_not_found"
    settings.MAIL_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as large:
        store_raw(inbox.pk, mail(), source="smtp")
    assert large.value.code == "mail_too_large"
    assert RawMail.objects.count() == 0


def test_a_stranded_pending_mail_is_processed_by_the_sweeper(inbox) -> None:  # type: ignore[no-untyped-def]
    stored = store_raw(inbox.pk, mail(), source="smtp")
    assert process_stranded() == 0  # too fresh: its own thread is probably on it
    RawMail.objects.filter(pk=stored.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    assert process_stranded() == 1
    stored.refresh_from_db()
    assert stored.state == RawMailState.INGESTED
    assert Ticket.objects.count() == 1


def test_a_mail_that_failed_is_kept_and_succeeds_after_the_fix(inbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(raw: bytes) -> object:
        raise RuntimeError("parser bug")

    original = inbound.parse_mail
    monkeypatch.setattr(inbound, "parse_mail", broken)
    failed = receive(inbox.pk, mail(), source="smtp")
    assert failed.state == RawMailState.FAILED
    assert "parser bug" in failed.error
    assert Ticket.objects.count() == 0
    monkeypatch.setattr(inbound, "parse_mail", original)
    assert reprocess_failed() == {RawMailState.INGESTED: 1}
    failed.refresh_from_db()
    assert failed.state == RawMailState.INGESTED
    assert failed.attempts == 2
    assert Ticket.objects.count() == 1


def test_a_mail_without_any_sender_fails_visibly(inbox) -> None:  # type: ignore[no-untyped-def]
    raw = b"To: support@shop.test\r\nSubject: test\r\n\r\nhello\r\n"
    stored = receive(inbox.pk, raw, source="smtp")
    assert stored.state == RawMailState.FAILED
    assert "sender" in stored.error


def test_commands(inbox) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("email", "reprocess", stdout=out)
    with pytest.raises(CommandError):
        call_command("email", "reprocess", "--inbox", "nope", stdout=out)
    with pytest.raises(CommandError):
        call_command("email", "poll", "--inbox", "nope", stdout=out, stderr=out)
