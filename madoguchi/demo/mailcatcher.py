"""A catch-all SMTP server for the demo: every mail is accepted and written to a folder.

The demo points outbound SMTP here so replies really travel over SMTP (the same code path as
production) while nothing leaves the machine; the console's sent-mail viewer reads the folder.
Each message is one RFC 822 file named `<time.time_ns()>-<uuid4 hex>.eml`, written under a
temporary name first and renamed, so a reader never sees half a message.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger(__name__)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 1025


class CatchAllHandler:
    """aiosmtpd handler: accept every recipient, store every message."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        path = store_message(self.folder, raw, envelope.mail_from or "", list(envelope.rcpt_tos))
        logger.info("caught mail for %s → %s", ", ".join(envelope.rcpt_tos), path.name)
        return "250 Message accepted for delivery"


def store_message(folder: Path, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> Path:
    """Write one message atomically; the envelope is kept as headers like an MTA would."""
    envelope_lines = [f"X-Envelope-From: <{mail_from}>"]
    envelope_lines += [f"X-Envelope-To: <{rcpt}>" for rcpt in rcpt_tos]
    header = ("\r\n".join(envelope_lines) + "\r\n").encode("utf-8", "replace")
    name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
    final = folder / name
    temporary = folder / f".{name}.part"
    with open(temporary, "wb") as fh:
        fh.write(header + raw)
    os.replace(temporary, final)
    return final


class MailCatcher:
    """The catcher running in a background thread; `start()` returns once it accepts mail."""

    def __init__(self, folder: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.folder = Path(folder)
        self.host = host
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> MailCatcher:
        # aiosmtpd logs every SMTP command at INFO; our handler logs each caught mail.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        # Fail at once on a busy port instead of waiting for the server thread to time out.
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((self.host, self.port))
        handler = CatchAllHandler(self.folder)
        self._controller = Controller(
            handler,
            hostname=self.host,
            port=self.port,
            enable_SMTPUTF8=True,
            ready_timeout=10.0,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
