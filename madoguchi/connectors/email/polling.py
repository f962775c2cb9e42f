"""Which IMAP inboxes are due, and polling them under a claim so no two workers overlap.

A folder is due when its `next_attempt_at` is empty or has passed (a success schedules the
next poll `IMAP_POLL_SECONDS` later, a failure backs off, a backlog asks for "now"). The
claim is a conditional UPDATE of `next_attempt_at` from the value we read to a lease in the
future: on PostgreSQL a concurrent UPDATE waits and then finds the value changed, on SQLite
writes are serialised, so exactly one worker wins on both. A worker that dies mid-poll only
delays that folder until the lease ends.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.inboxes.models import Inbox, InboxKind, MailFolderState

from .imap import PollResult, folder_states, poll_inbox
from .imap_session import account_for

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 10 * 60  # longer than any bounded poll (FETCH_LIMIT mails, 30 s timeouts)


class Writer(Protocol):
    """sys.stdout or a management command's OutputWrapper."""

    def write(self, text: str) -> object: ...


def imap_inboxes(slug: str | None = None) -> list[Inbox]:
    """Active email inboxes that have an IMAP server configured."""
    found = Inbox.objects.filter(kind=InboxKind.EMAIL, is_active=True).order_by("pk")
    if slug is not None:
        found = found.filter(slug=slug)
    return [i for i in found if str((i.settings or {}).get("imap_host") or "").strip()]


def claim_due(inbox: Inbox, now: datetime) -> tuple[str, ...]:
    """Claim this inbox's due folders; returns the folders this caller now owns."""
    states = folder_states(inbox, account_for(inbox).folders)
    due = [s for s in states if s.next_attempt_at is None or s.next_attempt_at <= now]
    lease = now + timedelta(seconds=CLAIM_SECONDS)
    claimed: list[str] = []
    for state in due:
        seen = (
            Q(next_attempt_at__isnull=True)
            if state.next_attempt_at is None
            else Q(next_attempt_at=state.next_attempt_at)
        )
        won = MailFolderState.objects.filter(seen, pk=state.pk).update(next_attempt_at=lease)
        if won:
            claimed.append(state.folder)
    return tuple(claimed)


def poll_due_inboxes(now: datetime | None = None) -> int:
    """Poll every due folder of every IMAP inbox once; returns how many inboxes were polled.

    Called each round by the worker's sweeper. One inbox's trouble never stops the others."""
    now = now or timezone.now()
    polled = 0
    for inbox in imap_inboxes():
        try:
            folders = claim_due(inbox, now)
            if not folders:
                continue
            poll_inbox(inbox, folders=folders)  # records and logs its own failures
        except Exception:
            logger.exception("IMAP poll of inbox %s failed unexpectedly", inbox.slug)
            continue
        polled += 1
    return polled


def poll_command(inbox_slug: str | None, stdout: Writer) -> int:
    """`madoguchi email poll [--inbox slug]`: poll now, whatever the schedule; exit status.

    Overlapping a worker's poll is harmless (the raw store dedupes by content)."""
    inboxes = imap_inboxes(inbox_slug)
    if not inboxes:
        if inbox_slug is None:
            stdout.write(_("No active email inbox has an IMAP server configured.") + "\n")
            return 0
        stdout.write(
            _("No active email inbox %(slug)s with an IMAP server.") % {"slug": inbox_slug} + "\n"
        )
        return 1
    status = 0
    for inbox in inboxes:
        result = poll_inbox(inbox)
        _report(inbox, result, stdout)
        if not result.ok:
            status = 1
    return status


def _report(inbox: Inbox, result: PollResult, stdout: Writer) -> None:
    for folder in result.folders:
        if folder.error:
            line = _("%(inbox)s %(folder)s: failed: %(error)s") % {
                "inbox": inbox.slug,
                "folder": folder.folder,
                "error": folder.error,
            }
        else:
            line = _(
                "%(inbox)s %(folder)s: %(fetched)s fetched (%(new)s new), %(backlog)s waiting,"
                " last UID %(uid)s"
            ) % {
                "inbox": inbox.slug,
                "folder": folder.folder,
                "fetched": folder.fetched,
                "new": folder.new,
                "backlog": folder.backlog,
                "uid": folder.last_uid,
            }
        stdout.write(line + "\n")
        for note in folder.notes:
            stdout.write(f"  {note}\n")
