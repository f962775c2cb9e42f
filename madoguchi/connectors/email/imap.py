"""Fetch an email inbox's IMAP folders into RawMail rows, losing nothing and doubling nothing.

Per folder we keep UIDVALIDITY + the last UID stored (`MailFolderState`), never flags or
dates: mail another client already read, and old mail delivered while we were down, are
fetched like any other. When UIDVALIDITY changes the stored UID means nothing any more, so the
whole folder is fetched again; `store_raw` dedupes by sha256 and ingest by Message-ID, so
nothing doubles. `last_uid` advances in the database right after each stored mail: a crash
costs at most a refetch. Network and login failures are recorded on the folder rows (shown on
the inbox status page) with a backoff, never raised.
"""

from __future__ import annotations

import hashlib
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from imap_tools import BaseMailBox

from madoguchi.core.errors import ValidationFailed
from madoguchi.inboxes.models import Inbox, MailFolderState, RawMailSource, RawMailState

from . import imap_session as wire
from .inbound import process_raw, store_raw

logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # messages per UID FETCH
FETCH_LIMIT = 500  # messages per folder per poll; the rest is backlog for the next round
BACKOFF_FIRST = 30.0
BACKOFF_MAX = 30 * 60.0


@dataclass
class FolderResult:
    folder: str
    fetched: int = 0  # mails taken from the server this poll
    new: int = 0  # of which not stored before
    backlog: int = 0
    uidvalidity: int | None = None
    last_uid: int = 0
    error: str = ""
    notes: list[str] = field(default_factory=list)  # mails skipped (too large, empty)


@dataclass
class PollResult:
    inbox_id: int
    folders: list[FolderResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(not f.error for f in self.folders)

    @property
    def fetched(self) -> int:
        return sum(f.fetched for f in self.folders)

    @property
    def error(self) -> str:
        return "; ".join(f"{f.folder}: {f.error}" for f in self.folders if f.error)


def backoff_delay(failures: int) -> float:
    """Seconds until the next try: 30 s doubling to 30 min, jittered down by up to 20 %."""
    delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, failures - 1))
    return delay * random.uniform(0.8, 1.0)


def folder_states(inbox: Inbox, folders: tuple[str, ...]) -> list[MailFolderState]:
    """The state row of each folder, created on first use (twins from a race are fine)."""
    existing = {
        s.folder: s for s in MailFolderState.objects.filter(inbox=inbox, folder__in=folders)
    }
    for folder in folders:
        if folder not in existing:
            try:
                existing[folder], _ = MailFolderState.objects.get_or_create(
                    inbox=inbox, folder=folder
                )
            except IntegrityError:
                existing[folder] = MailFolderState.objects.get(inbox=inbox, folder=folder)
    return [existing[f] for f in folders]


def poll_inbox(
    inbox: Inbox,
    *,
    folders: tuple[str, ...] | None = None,
    limit: int = FETCH_LIMIT,
    batch: int = BATCH_SIZE,
) -> PollResult:
    """Fetch new mail of every configured folder (or the given ones) once; never raises for
    server trouble, records it on the folder rows instead."""
    account = wire.account_for(inbox)
    wanted = folders or account.folders
    states = folder_states(inbox, wanted)
    result = PollResult(inbox.pk)
    now = timezone.now()
    MailFolderState.objects.filter(pk__in=[s.pk for s in states]).update(last_attempt_at=now)
    try:
        mailbox = wire.connect(account)
    except wire.ImapFailure as failure:
        for state in states:
            result.folders.append(_record_failure(inbox, state, failure.text))
        return result
    try:
        broken = ""
        for state in states:
            if broken:
                result.folders.append(_record_failure(inbox, state, broken))
                continue
            try:
                folder_result = _poll_folder(mailbox, inbox, account, state, limit, batch)
            except wire.IMAP_ERRORS as exc:
                text, connection = wire.describe(exc)
                text = wire.scrub(text, account.password)
                if connection:
                    broken = text
                result.folders.append(_record_failure(inbox, state, text))
            else:
                result.folders.append(folder_result)
    finally:
        wire.close(mailbox)
    return result


def _record_failure(inbox: Inbox, state: MailFolderState, text: str) -> FolderResult:
    now = timezone.now()
    failures = state.failures + 1
    next_at = now + timedelta(seconds=backoff_delay(failures))
    MailFolderState.objects.filter(pk=state.pk).update(
        last_error=text, failures=F("failures") + 1, next_attempt_at=next_at
    )
    state.refresh_from_db()
    logger.warning(
        "IMAP fetch of inbox %s folder %s failed (%s in a row), next try %s: %s",
        inbox.slug, state.folder, state.failures, next_at.isoformat(timespec="seconds"), text,
    )  # fmt: skip
    return FolderResult(
        folder=state.folder,
        uidvalidity=state.uidvalidity,
        last_uid=state.last_uid,
        backlog=state.backlog,
        error=text,
    )


def _poll_folder(
    mailbox: BaseMailBox,
    inbox: Inbox,
    account: wire.ImapAccount,
    state: MailFolderState,
    limit: int,
    batch: int,
) -> FolderResult:
    result = FolderResult(folder=state.folder)
    uidvalidity = wire.select(mailbox, state.folder)
    if state.uidvalidity != uidvalidity:
        if state.uidvalidity is not None:
            logger.warning(
                "inbox %s folder %s: UIDVALIDITY changed %s → %s; fetching the folder again",
                inbox.slug, state.folder, state.uidvalidity, uidvalidity,
            )  # fmt: skip
        MailFolderState.objects.filter(pk=state.pk).update(uidvalidity=uidvalidity, last_uid=0)
        state.uidvalidity, state.last_uid = uidvalidity, 0
    result.uidvalidity = uidvalidity
    pending = wire.new_uids(mailbox, state.last_uid)
    todo, rest = pending[: max(1, limit)], pending[max(1, limit) :]
    move_to = account.move_to if account.after == "move" else ""
    if account.after == "move" and not move_to:
        result.notes.append("imap_after=move without imap_move_to: mail kept in place")
    if move_to and move_to != state.folder:
        try:
            wire.ensure_folder(mailbox, move_to)
        except wire.COMMAND_ERRORS as exc:
            # A bad target name must not hold customers' mail back: fetch, keep, and say so.
            text, _connection = wire.describe(exc)
            result.notes.append(f"cannot use {move_to!r} for processed mail ({text}): kept")
            move_to = ""
    else:
        move_to = ""
    for start in range(0, len(todo), max(1, batch)):
        chunk = todo[start : start + max(1, batch)]
        wanted = [uid for uid, size in chunk if 0 < size <= settings.MAIL_MAX_BYTES]
        bodies = wire.fetch_raw(mailbox, wanted)
        done: list[int] = []
        for uid, size in chunk:
            raw = bodies.get(uid)
            if raw is None:
                _skipped(inbox, state, uid, _why_not_fetched(uid, size), result)
                _advance(state, uidvalidity, uid, new=False)
            elif _take(inbox, state, uidvalidity, uid, raw, result):
                done.append(uid)
        if done and account.after == "seen":
            wire.mark_seen(mailbox, done)
        elif done and move_to:
            wire.move(mailbox, done, move_to)
    result.backlog = len(rest)
    now = timezone.now()
    next_at = now if rest else now + timedelta(seconds=settings.IMAP_POLL_SECONDS)
    MailFolderState.objects.filter(pk=state.pk).update(
        backlog=len(rest),
        last_success_at=now,
        # A success clears the error; mail left on the server (too large) stays noted.
        last_error=wire.scrub("; ".join(result.notes), account.password),
        failures=0,
        next_attempt_at=next_at,
    )
    state.refresh_from_db()
    result.last_uid = state.last_uid
    if result.fetched:
        logger.info(
            "inbox %s folder %s: %s mails fetched (%s new), %s left",
            inbox.slug, state.folder, result.fetched, result.new, len(rest),
        )  # fmt: skip
    return result


def _take(
    inbox: Inbox,
    state: MailFolderState,
    uidvalidity: int,
    uid: int,
    raw: bytes,
    result: FolderResult,
) -> bool:
    """Store one fetched mail durably, move the mark past it, then process it."""
    try:
        known = inbox.raw_mails.filter(sha256=hashlib.sha256(raw).hexdigest()).exists()
        stored = store_raw(
            inbox.pk,
            raw,
            source=RawMailSource.IMAP,
            source_ref=f"{state.folder}:{uidvalidity}:{uid}",
        )
    except ValidationFailed as exc:
        _skipped(inbox, state, uid, f"UID {uid} refused: {exc.code}", result)
        _advance(state, uidvalidity, uid, new=False)
        return False
    _advance(state, uidvalidity, uid, new=not known)
    result.fetched += 1
    result.new += 0 if known else 1
    if stored.state == RawMailState.PENDING:
        process_raw(stored.pk)  # never raises for a bad mail: it is marked failed instead
    return True


def _advance(state: MailFolderState, uidvalidity: int, uid: int, *, new: bool) -> None:
    """Move last_uid forward (only forward, only within the same UIDVALIDITY)."""
    changes: dict[str, object] = {"last_uid": uid}
    if new:
        changes["fetched"] = F("fetched") + 1
    MailFolderState.objects.filter(pk=state.pk, uidvalidity=uidvalidity, last_uid__lt=uid).update(
        **changes
    )
    state.last_uid = max(state.last_uid, uid)


def _skipped(
    inbox: Inbox, state: MailFolderState, uid: int, text: str, result: FolderResult
) -> None:
    """A mail we cannot store (over the size limit, empty, gone): it stays on the server."""
    result.notes.append(text)
    logger.warning("inbox %s folder %s: %s; left on the server", inbox.slug, state.folder, text)


def _why_not_fetched(uid: int, size: int) -> str:
    if size > settings.MAIL_MAX_BYTES:
        return f"UID {uid} is larger than the size limit ({size} > {settings.MAIL_MAX_BYTES} bytes)"
    if size <= 0:
        return f"UID {uid} is empty"
    return f"UID {uid} was removed from the server before it could be fetched"
