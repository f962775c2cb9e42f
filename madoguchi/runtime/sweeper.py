"""The outbox sweeper: a thread in `madoguchi worker` that delivers what fell through the cracks.

Tasks are enqueued on commit, so a crash between commit and enqueue would strand a reply;
retries scheduled by an earlier worker may also be lost with its queue row. The sweeper calls
`inboxes.delivery.sweep()` every few seconds (orphaned pending rows, due retries, expired
claims), and marks customer imports whose run died as failed (`fail_stale_imports`), so
nobody has to open the import page to see it. It runs in its own thread, therefore on its
own database connection, which it closes when it stops.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from django.db import close_old_connections, connections

from madoguchi.connectors.email.inbound import process_stranded
from madoguchi.connectors.email.polling import poll_due_inboxes
from madoguchi.customers.import_recovery import fail_stale_imports
from madoguchi.inboxes.delivery import sweep

logger = logging.getLogger(__name__)


class OutboxSweeper(threading.Thread):
    def __init__(self, interval: float = 10.0, *, exit_with_parent: bool = False) -> None:
        super().__init__(name="outbox-sweeper", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        # Started by `madoguchi serve`: stop the whole worker if that parent disappears.
        self.parent_pid = os.getppid() if exit_with_parent else None

    def run_once(self) -> int:
        """One round: the outbox sweep, then stale imports. A failing job is logged and the
        next round tries again; it does not stop the other."""
        close_old_connections()
        looked = 0
        jobs = (
            ("outbox sweep", sweep),
            ("stale import check", fail_stale_imports),
            # Issue 4: fetch the IMAP folders that are due (each under a claim; bounded).
            ("IMAP poll", poll_due_inboxes),
            ("stranded mail", process_stranded),
        )
        for name, job in jobs:
            try:
                looked += job()
            except Exception:
                logger.exception("%s failed; trying again in %s s", name, self.interval)
        return looked

    def run(self) -> None:
        next_sweep = time.monotonic()
        try:
            while not self.stopping.is_set():
                if self.parent_pid is not None and os.getppid() != self.parent_pid:
                    logger.warning("the serve process is gone; stopping the worker")
                    os.kill(os.getpid(), signal.SIGTERM)
                    return
                if time.monotonic() >= next_sweep:
                    count = self.run_once()
                    if count:
                        logger.info("outbox sweep looked at %s entries", count)
                    next_sweep = time.monotonic() + self.interval
                self.stopping.wait(min(1.0, self.interval))
        finally:
            connections.close_all()

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout)
