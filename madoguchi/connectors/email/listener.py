"""The SMTP listener `madoguchi serve` runs: mail forwarded to us becomes tickets.

An MTA (or a provider's forwarding) delivers to this aiosmtpd server. RCPT TO is accepted
only for the address of an active email inbox (sub-addresses such as `support+t.…@` too);
anything else gets `550 5.1.1`. The size limit is aiosmtpd's own `data_size_limit` (the SIZE
extension and `552` on oversized DATA). `250` is only answered after the raw bytes are
committed by `store_raw`; a database failure answers `451` so the sender keeps the mail and
tries again — nothing is acknowledged that is not stored. Parsing and ingest then run in a
background thread, so a slow parse never holds the SMTP session.

Django's database calls are synchronous: every one runs in a worker thread, with
`close_old_connections()` around it like a request would.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connection

from madoguchi.connectors.email import inbound
from madoguchi.core.errors import DomainError, ValidationFailed
from madoguchi.inboxes.models import Inbox, InboxKind
from madoguchi.lib.mail.tokens import base_address

logger = logging.getLogger(__name__)
T = TypeVar("T")

REPLY_UNKNOWN_RECIPIENT = "550 5.1.1 Recipient address rejected: no such inbox here"
REPLY_TRY_LATER = "451 4.3.0 Temporary failure, please try again later"
REPLY_TOO_LARGE = "552 5.3.4 Message size exceeds fixed maximum message size"
REPLY_EMPTY = "554 5.6.0 Empty message"
REPLY_OK = "250 OK"


def _db(function: Callable[..., T], *args: Any) -> T:
    """Run one database step in a pool thread, on a connection closed afterwards.

    Pool threads outlive nothing of ours; a connection left open in one would stay open
    until the process ends (PostgreSQL counts it). SMTP traffic is light enough that a
    connection per step costs nothing that matters.
    """
    close_old_connections()
    try:
        return function(*args)
    finally:
        connection.close()


def inbox_for_recipient(address: str) -> int | None:
    """The id of the active email inbox `address` (or a `+sub` address of it) belongs to."""
    wanted = base_address(address)
    if "@" not in wanted:
        return None
    return (
        Inbox.objects.filter(kind=InboxKind.EMAIL, is_active=True, address__iexact=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def store_for_recipients(raw: bytes, recipients: list[str]) -> list[int]:
    """Store the mail once per inbox among `recipients`; returns the RawMail ids."""
    stored: dict[int, int] = {}
    for address in recipients:
        inbox_id = inbox_for_recipient(address)
        if inbox_id is None or inbox_id in stored:
            continue
        raw_mail = inbound.store_raw(inbox_id, raw, source="smtp", source_ref=address)
        stored[inbox_id] = raw_mail.pk
    return list(stored.values())


def process_stored(raw_mail_ids: list[int]) -> None:
    """Parse, thread and ingest mails already stored; a failure stays on the RawMail row."""
    for raw_mail_id in raw_mail_ids:
        try:
            _db(inbound.process_raw, raw_mail_id)
        except Exception:
            # process_raw marks a bad mail failed itself; this is the database being away.
            # The row stays pending and can be re-processed from the inbox status page.
            logger.exception("processing raw mail %s failed", raw_mail_id)


class InboxHandler:
    """aiosmtpd handler: recipients must be inbox addresses; DATA is stored, then processed."""

    def __init__(self) -> None:
        # Stores run a few at a time; processing runs one by one in the background so
        # SQLite writers do not pile up and ingest order follows arrival order.
        self._store_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="smtp-store")
        self._process_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp-ingest")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    async def _in_thread(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_pool, _db, function, *args)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            inbox_id = await self._in_thread(inbox_for_recipient, address)
        except Exception:
            logger.exception("looking up the inbox for %s failed", address)
            return REPLY_TRY_LATER
        if inbox_id is None:
            logger.info("SMTP: refused recipient %s (no active email inbox)", address)
            return REPLY_UNKNOWN_RECIPIENT
        envelope.rcpt_tos.append(address)
        return REPLY_OK

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            ids = await self._in_thread(store_for_recipients, raw, list(envelope.rcpt_tos))
        except ValidationFailed as exc:
            if exc.code == "mail_too_large":
                return REPLY_TOO_LARGE
            if exc.code == "empty_mail":
                return REPLY_EMPTY
            logger.warning("SMTP: mail refused: %s", exc)
            return REPLY_TRY_LATER
        except DomainError:
            # NotFound: the inbox was deleted or switched off between RCPT and DATA.
            return REPLY_UNKNOWN_RECIPIENT
        except Exception:
            logger.exception("SMTP: storing mail for %s failed", ", ".join(envelope.rcpt_tos))
            return REPLY_TRY_LATER
        if not ids:
            return REPLY_UNKNOWN_RECIPIENT
        logger.info("SMTP: stored mail %s for %s", ids, ", ".join(envelope.rcpt_tos))
        future = self._process_pool.submit(process_stored, ids)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return REPLY_OK

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every accepted mail has been processed (tests, shutdown)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            try:
                future.result(timeout)
            except TimeoutError:
                return False
        return True

    def close(self) -> None:
        """Finish processing what was accepted, then stop the threads."""
        self._store_pool.shutdown(wait=True)
        self._process_pool.shutdown(wait=True)


class MailListener:
    """The listener in a background thread; `start()` returns once it accepts connections."""

    def __init__(self, host: str = "127.0.0.1", port: int = 2525) -> None:
        self.host = host
        self.port = port
        self.handler = InboxHandler()
        self._controller: Controller | None = None

    def start(self) -> MailListener:
        # aiosmtpd logs every SMTP command at INFO; our handler logs each stored mail.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        # Fail at once on a busy port instead of waiting for the server thread to time out.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((self.host, self.port))
        self._controller = Controller(
            self.handler,
            hostname=self.host,
            port=self.port,
            data_size_limit=settings.MAIL_MAX_BYTES,
            enable_SMTPUTF8=True,
            ready_timeout=10.0,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        self.handler.close()

    def __enter__(self) -> MailListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
