"""The worker's IMAP IDLE threads: one per inbox that fetches by IMAP.

The sweeper's polls alone lose nothing; IDLE makes mail appear within a second instead of
within `MADOGUCHI_IMAP_POLL_SECONDS`. Every `RECONCILE_SECONDS` the keeper compares the
inboxes that should be idling with the threads it runs: a new or changed inbox (other server,
login, folders or password) gets a fresh thread, a removed or deactivated one is stopped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any, cast

from django.db import close_old_connections, connections

from madoguchi.connectors.email.imap_idle import idle_inbox
from madoguchi.connectors.email.polling import imap_inboxes
from madoguchi.inboxes.models import Inbox

logger = logging.getLogger(__name__)
RECONCILE_SECONDS = 60.0
STOP_SECONDS = 5.0


@dataclass
class _Idler:
    fingerprint: str
    stop: threading.Event
    thread: threading.Thread


def fingerprint(inbox: Inbox) -> str:
    """Changes whenever anything the IMAP connection depends on changes."""
    options = {k: v for k, v in (inbox.settings or {}).items() if str(k).startswith("imap_")}
    credentials = cast(dict[str, Any], inbox.credentials or {})
    secret = str(credentials.get("imap_password", ""))
    text = json.dumps([options, secret], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class IdleKeeper(threading.Thread):
    def __init__(self, interval: float = RECONCILE_SECONDS) -> None:
        super().__init__(name="imap-idle-keeper", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.idlers: dict[int, _Idler] = {}

    def reconcile(self) -> set[int]:
        """Start, restart and stop idle threads to match the inboxes; returns the ids idling."""
        close_old_connections()
        wanted = {inbox.pk: inbox for inbox in imap_inboxes()}
        for pk in list(self.idlers):
            idler = self.idlers[pk]
            inbox = wanted.get(pk)
            if (
                inbox is None
                or fingerprint(inbox) != idler.fingerprint
                or not idler.thread.is_alive()
            ):
                self._stop(pk)
        for pk, inbox in wanted.items():
            if pk not in self.idlers:
                self._start(inbox)
        return set(self.idlers)

    def _start(self, inbox: Inbox) -> None:
        stop = threading.Event()

        def run() -> None:
            try:
                idle_inbox(inbox, stop)
            except Exception:
                logger.exception("IMAP IDLE for inbox %s stopped", inbox.slug)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name=f"imap-idle-{inbox.slug}", daemon=True)
        self.idlers[inbox.pk] = _Idler(fingerprint(inbox), stop, thread)
        thread.start()

    def _stop(self, pk: int) -> None:
        idler = self.idlers.pop(pk)
        idler.stop.set()
        idler.thread.join(STOP_SECONDS)

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self.reconcile()
                except Exception:
                    logger.exception("IMAP IDLE keeper: reconcile failed")
                self.stopping.wait(self.interval)
        finally:
            for pk in list(self.idlers):
                self._stop(pk)
            connections.close_all()

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        self.join(timeout)
