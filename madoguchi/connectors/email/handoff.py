"""Stored mails handed from `store_raw` to the `process_raw` that follows it at once.

Every connector stores a mail (committed: the durability rule) and processes it right after;
the bytes, the row and our own addresses the store just had need not be read back from the
database (nor decompressed) for that. See `connectors.email.inbound`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from madoguchi.inboxes.models import RawMail


@dataclass(frozen=True)
class Fresh:
    raw: bytes
    row: RawMail
    ours: frozenset[str]
    at: float


class Handoff:
    """The mails `store_raw` just stored, for the `process_raw` that follows at once.

    Bounded (a store whose processing never comes must not keep its bytes) and short-lived
    (our own addresses are read again after `FRESH_SECONDS`); shared by threads (the SMTP
    listener stores in one and processes in another).
    """

    FRESH_SECONDS = 10.0
    MAX_ITEMS = 16
    MAX_BYTES = 64 * 1024 * 1024

    def __init__(self) -> None:
        self._items: OrderedDict[int, Fresh] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, pk: int, raw: bytes, row: RawMail, ours: frozenset[str]) -> None:
        if len(raw) > self.MAX_BYTES:
            return
        with self._lock:
            self._drop(pk)
            self._items[pk] = Fresh(raw, row, ours, time.monotonic())
            self._bytes += len(raw)
            while len(self._items) > self.MAX_ITEMS or self._bytes > self.MAX_BYTES:
                self._drop(next(iter(self._items)))

    def take(self, pk: int) -> Fresh | None:
        with self._lock:
            fresh = self._drop(pk)
        if fresh is None or time.monotonic() - fresh.at > self.FRESH_SECONDS:
            return None
        return fresh

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def _drop(self, pk: int) -> Fresh | None:
        fresh = self._items.pop(pk, None)
        if fresh is not None:
            self._bytes -= len(fresh.raw)
        return fresh
