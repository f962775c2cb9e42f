"""`madoguchi email import`: mail from files (.eml, mbox, Maildir, a folder of .eml).

For migrations from another desk and for tests. Every mail goes through `receive()` like
mail from IMAP or SMTP does; the same bytes for the same inbox are stored once, so running
an import twice adds nothing (the second run counts them as duplicates).
"""

from __future__ import annotations

import hashlib
import mailbox
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from madoguchi.connectors.email.inbound import receive
from madoguchi.core.errors import DomainError, NotFound, ValidationFailed
from madoguchi.inboxes.models import Inbox, InboxKind, RawMail

OUTCOMES = ("ingested", "duplicate", "bounce", "ignored", "failed")
MAILDIR_PARTS = ("cur", "new", "tmp")


@dataclass
class ImportResult:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, why)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def import_inbox(slug: str | None) -> Inbox:
    """The email inbox to import into: by slug, or the only one there is."""
    email_inboxes = Inbox.objects.filter(kind=InboxKind.EMAIL)
    if slug:
        inbox = email_inboxes.filter(slug=slug).first()
        if inbox is None:
            raise NotFound(
                _("There is no email inbox with the slug “%(slug)s”.") % {"slug": slug},
                code="inbox_not_found",
            )
        return inbox
    found = list(email_inboxes.order_by("pk")[:2])
    if not found:
        raise NotFound(_("There is no email inbox to import into."), code="inbox_not_found")
    if len(found) > 1:
        raise ValidationFailed(
            _("There are several email inboxes: choose one with --inbox SLUG."),
            code="inbox_required",
        )
    return found[0]


def _is_mbox(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(5) == b"From "


def mails_in(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, raw bytes) for every mail under `path`, in a stable order."""
    if path.is_file():
        if _is_mbox(path):
            box = mailbox.mbox(path, create=False)
            try:
                for number, key in enumerate(box.keys(), start=1):
                    yield f"{path}#{number}", box.get_bytes(key)
            finally:
                box.close()
        else:
            yield str(path), path.read_bytes()
    elif path.is_dir() and all((path / part).is_dir() for part in MAILDIR_PARTS):
        maildir = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(maildir.keys()):
            yield f"{path}/{key}", maildir.get_bytes(key)
    elif path.is_dir():
        for file in sorted(p for p in path.rglob("*.eml") if p.is_file()):
            yield str(file), file.read_bytes()
    else:
        raise NotFound(
            _("%(path)s is not a mail file, an mbox, a Maildir or a folder.") % {"path": path},
            code="import_path_not_found",
        )


def import_mail(
    path: Path, inbox: Inbox, *, progress: Callable[[str, str], None] | None = None
) -> ImportResult:
    """Receive every mail under `path` into `inbox`; counts per outcome, errors kept."""
    result = ImportResult()
    for where, raw in mails_in(path):
        digest = hashlib.sha256(raw).hexdigest()
        if RawMail.objects.filter(inbox=inbox, sha256=digest).exists():
            outcome = "duplicate"
        else:
            try:
                raw_mail = receive(inbox.pk, raw, source="import", source_ref=where)
            except DomainError as exc:
                outcome = "failed"
                result.errors.append((where, str(exc.message)))
            else:
                outcome = raw_mail.state if raw_mail.state in OUTCOMES else "failed"
                if raw_mail.state == "failed":
                    result.errors.append((where, raw_mail.error))
        result.counts[outcome] += 1
        if progress is not None:
            progress(where, outcome)
    return result
