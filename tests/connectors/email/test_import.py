"""`madoguchi email import`: .eml, mbox, Maildir and folders; idempotent, counted by outcome."""

from __future__ import annotations

import mailbox
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from madoguchi.connectors.email.importing import import_mail, mails_in
from madoguchi.inboxes.models import Inbox, InboxKind, RawMail
from madoguchi.tickets.models import Ticket
from tests.connectors.email.mails import mail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """The assertions read the English wording; the Japanese catalogue is checked elsewhere."""
    with translation.override("en"):
        yield


SUBJECTS = ["返品したいです", "領収書の発行について", "配送先を変更したい"]


def _three() -> list[bytes]:
    return [
        mail(sender=f"客{n} <customer{n}@example.jp>", subject=subject, body=f"{subject}。{n}")
        for n, subject in enumerate(SUBJECTS)
    ]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("email", "import", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_eml_file_is_imported_once(inboxes, tmp_path):
    path = tmp_path / "one.eml"
    path.write_bytes(mail(subject="移行テスト", body="旧システムからのメールです。"))
    first = _run(str(path))
    assert "1 mails read" in first and "delivered to a ticket: 1" in first
    raw = RawMail.objects.get()
    assert (raw.source, raw.source_ref, raw.state) == ("import", str(path), "ingested")
    assert raw.ticket is not None and raw.ticket.subject == "移行テスト"
    second = _run(str(path))
    assert "already there (skipped): 1" in second and "delivered to a ticket: 0" in second
    assert RawMail.objects.count() == 1 and Ticket.objects.count() == 1


def test_mbox_with_three_mails(inboxes, tmp_path):
    path = tmp_path / "export.mbox"
    box = mailbox.mbox(path)
    for raw in _three():
        box.add(raw)
    box.close()
    result = import_mail(path, inboxes["email"])
    assert result.counts["ingested"] == 3 and result.total == 3
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(SUBJECTS)
    refs = sorted(RawMail.objects.values_list("source_ref", flat=True))
    assert refs == [f"{path}#1", f"{path}#2", f"{path}#3"]
    again = import_mail(path, inboxes["email"])
    assert again.counts == {"duplicate": 3}
    assert RawMail.objects.count() == 3 and Ticket.objects.count() == 3


def test_maildir_and_folder_of_eml(inboxes, tmp_path):
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    first, second, third = _three()
    maildir.add(first)
    maildir.add(second)
    assert len(list(mails_in(tmp_path / "Maildir"))) == 2
    folder = tmp_path / "eml"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "c.eml").write_bytes(third)
    (folder / "a.eml").write_bytes(first)  # the same mail as in the Maildir
    (folder / "notes.txt").write_text("not a mail", encoding="utf-8")
    out = _run(str(tmp_path / "Maildir"), "--inbox", "test-email")
    assert "delivered to a ticket: 2" in out
    out = _run(str(folder))
    assert "delivered to a ticket: 1" in out and "already there (skipped): 1" in out
    assert Ticket.objects.count() == 3


def test_outcomes_are_counted(inboxes, tmp_path):
    path = tmp_path / "mixed.mbox"
    box = mailbox.mbox(path)
    box.add(mail(subject="通常の問い合わせ"))
    box.add(
        mail(
            subject="自動応答: 不在のお知らせ",
            body="12月3日まで不在にしております。",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    box.add(b"From: \r\n\r\n")  # no sender, no content: stored, marked failed
    box.close()
    errors = StringIO()
    out = StringIO()
    call_command("email", "import", str(path), stdout=out, stderr=errors)
    text = out.getvalue()
    assert "3 mails read" in text
    assert "delivered to a ticket: 1" in text
    assert "ignored (automatic mail): 1" in text
    assert "failed: 1" in text
    assert f"{path}#3" in errors.getvalue()
    failed = RawMail.objects.get(state="failed")
    assert failed.error


def test_inbox_is_required_when_several_exist(inboxes, brand, tmp_path):
    Inbox.objects.create(
        brand=brand, kind=InboxKind.EMAIL, name="営業", slug="sales", address="sales@shop.test"
    )
    path = tmp_path / "one.eml"
    path.write_bytes(mail())
    with pytest.raises(CommandError, match="--inbox"):
        _run(str(path))
    with pytest.raises(CommandError, match="no email inbox with the slug"):
        _run(str(path), "--inbox", "nope")
    assert "delivered to a ticket: 1" in _run(str(path), "--inbox", "sales")
    assert RawMail.objects.get().inbox.slug == "sales"


def test_bad_paths_are_clear_errors(inboxes, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _run(str(tmp_path / "missing.mbox"))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(CommandError, match="not a mail file"):
        _run(str(fifo))
    assert not RawMail.objects.exists()


def test_no_email_inbox(db, tmp_path):
    path = Path(tmp_path / "one.eml")
    path.write_bytes(mail())
    with pytest.raises(CommandError, match="no email inbox"):
        _run(str(path))
