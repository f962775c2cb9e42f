"""IMAP IDLE (RFC 2177): fetch the moment the server announces new mail, instead of waiting for
the next poll. Optional: polling alone loses nothing; IDLE only shortens the delay.

`idle_inbox` keeps one connection IDLE on the inbox's first folder and runs the ordinary
`poll_inbox` (all folders, same UIDVALIDITY/last-UID bookkeeping) whenever the server reports
EXISTS, and at least every IMAP_POLL_SECONDS. Servers without IDLE fall back to plain polling.
It runs until `stop` is set; run it in a thread of its own and close that thread's DB
connections when it returns. It takes no claim: a sweeper poll of the same inbox at the same
moment only costs a duplicate fetch, which the raw store dedupes.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from imap_tools import BaseMailBox

from madoguchi.inboxes.models import Inbox

from . import imap_session as wire
from .imap import backoff_delay, poll_inbox

logger = logging.getLogger(__name__)

IDLE_SLICE = 1.0  # seconds per IDLE read, so `stop` is noticed quickly
IDLE_RENEW = 25 * 60  # RFC 2177: re-issue IDLE well within 29 minutes


def idle_inbox(inbox: Inbox, stop: threading.Event) -> None:
    """Poll, then wait in IDLE for news (or the poll interval), until `stop` is set."""
    failures = 0
    while not stop.is_set():
        close_old_connections()
        inbox.refresh_from_db()
        result = poll_inbox(inbox)
        if not result.ok:
            failures += 1
            stop.wait(backoff_delay(failures))
            continue
        failures = 0
        account = wire.account_for(inbox)
        try:
            mailbox = wire.connect(account)
        except wire.ImapFailure as failure:
            logger.warning("IMAP IDLE for inbox %s: %s", inbox.slug, failure.text)
            stop.wait(backoff_delay(1))
            continue
        try:
            wire.select(mailbox, account.folders[0])
            if "IDLE" in mailbox.client.capabilities:
                wait_for_news(mailbox, stop, float(settings.IMAP_POLL_SECONDS))
            else:
                stop.wait(settings.IMAP_POLL_SECONDS)
        except wire.IMAP_ERRORS as exc:
            text, _connection = wire.describe(exc)
            logger.warning(
                "IMAP IDLE for inbox %s: %s", inbox.slug, wire.scrub(text, account.password)
            )
            stop.wait(backoff_delay(1))
        finally:
            wire.close(mailbox)


def wait_for_news(mailbox: BaseMailBox, stop: threading.Event, seconds: float) -> bool:
    """IDLE until the server reports new mail (True), or `seconds` pass / `stop` is set."""
    deadline = time.monotonic() + min(seconds, IDLE_RENEW)
    mailbox.idle.start()
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            responses = mailbox.idle.poll(timeout=IDLE_SLICE)
            if any(b"EXISTS" in line for line in responses):
                return True
        return False
    finally:
        mailbox.idle.stop()
