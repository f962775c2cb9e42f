"""The IMAP wire side of fetching: connect, list new UIDs, fetch raw bytes, flag, move.

imap-tools opens the connection and logs in; the commands that matter for correctness are sent
as plain UID commands so that we control them exactly:
- `UID FETCH n:* (UID RFC822.SIZE)` and a filter `uid >= n`, because `n:*` always returns the
  highest message even when its UID is below n;
- `BODY.PEEK[]` so fetching never sets \\Seen;
- `STORE +FLAGS.SILENT (\\Seen)` without the EXPUNGE that imap-tools' `flag()` sends (which would
  also purge mail another client marked \\Deleted).
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, UnexpectedCommandStatusError
from imap_tools.utils import encode_folder

from madoguchi.inboxes.models import Inbox

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 30.0
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapFailure(Exception):
    """A failure talking to the server, with technical text safe to show (no password).

    `connection` is True when the session itself is unusable (network, login), so the
    remaining folders of this poll fail the same way."""

    def __init__(self, text: str, *, connection: bool) -> None:
        super().__init__(text)
        self.text = text
        self.connection = connection


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str
    password: str
    folders: tuple[str, ...]
    after: str  # keep | seen | move
    move_to: str


def account_for(inbox: Inbox) -> ImapAccount:
    """The IMAP settings of an email inbox (see inboxes.channel_fields)."""
    conf: dict[str, Any] = inbox.settings or {}
    creds: dict[str, Any] = inbox.credentials if isinstance(inbox.credentials, dict) else {}
    security = str(conf.get("imap_security") or "ssl").lower()
    if security not in ("ssl", "starttls", "none"):
        security = "ssl"
    try:
        port = int(conf.get("imap_port") or 0)
    except (TypeError, ValueError):
        port = 0
    folders = tuple(
        f.strip() for f in str(conf.get("imap_folder") or "INBOX").split(",") if f.strip()
    )
    after = str(conf.get("imap_after") or "keep").lower()
    return ImapAccount(
        host=str(conf.get("imap_host") or "").strip(),
        port=port or (993 if security == "ssl" else 143),
        security=security,
        username=str(conf.get("imap_username") or inbox.address or ""),
        password=str(creds.get("imap_password") or ""),
        folders=folders or ("INBOX",),
        after=after if after in ("keep", "seen", "move") else "keep",
        move_to=str(conf.get("imap_move_to") or "").strip(),
    )


def scrub(text: str, secret: str) -> str:
    """Technical error text with the password blanked out, however it got there."""
    if secret and len(secret) >= 3:
        text = text.replace(secret, "***")
    return text[:1000]


def describe(exc: BaseException) -> tuple[str, bool]:
    """(technical text, is-the-connection-unusable) for an exception from the session."""
    if isinstance(exc, UnexpectedCommandStatusError):
        data = exc.command_result[1] if len(exc.command_result) > 1 else []
        parts = data if isinstance(data, (list, tuple)) else [data]
        server = " ".join(
            p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p)
            for p in parts
            if p is not None
        )
        name = type(exc).__name__.removeprefix("Mailbox").removesuffix("Error")
        what = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower() or "imap command"
        return f"{what} failed: {exc.command_result[0]} {server}".strip(), "Login" in type(
            exc
        ).__name__
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"timed out: {exc}".strip(": "), True
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc}", True
    if isinstance(exc, imaplib.IMAP4.abort):
        return f"connection lost: {exc}", True
    if isinstance(exc, OSError):
        return f"connection failed: {exc}", True
    if isinstance(exc, imaplib.IMAP4.error):
        return f"IMAP error: {exc}", False
    return f"{type(exc).__name__}: {exc}", False


IMAP_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    imaplib.IMAP4.error,
    ImapToolsError,
)


# A command the server refused (NO/BAD): the session itself is still usable.
COMMAND_ERRORS: tuple[type[BaseException], ...] = (UnexpectedCommandStatusError,)


def connect(account: ImapAccount) -> BaseMailBox:
    """A logged-in session; raises ImapFailure (connection=True) with safe text."""
    if not account.host:
        raise ImapFailure("no IMAP server configured", connection=True)
    mailbox: BaseMailBox
    try:
        if account.security == "ssl":
            mailbox = MailBox(account.host, account.port, timeout=CONNECT_TIMEOUT)
        elif account.security == "starttls":
            mailbox = MailBoxStartTls(account.host, account.port, timeout=CONNECT_TIMEOUT)
        else:
            mailbox = MailBoxUnencrypted(account.host, account.port, timeout=CONNECT_TIMEOUT)
        if account.username.isascii() and account.password.isascii():
            mailbox.login(account.username, account.password, initial_folder=None)
        else:
            mailbox.login_utf8(account.username, account.password, initial_folder=None)
        # Servers announce more after login (MOVE, UIDPLUS); imaplib keeps the greeting's list.
        typ, data = mailbox.client.capability()
        if typ == "OK" and data and data[0]:
            mailbox.client.capabilities = tuple(data[0].decode().upper().split())
    except IMAP_ERRORS as exc:
        text, _conn = describe(exc)
        raise ImapFailure(scrub(text, account.password), connection=True) from None
    return mailbox


def close(mailbox: BaseMailBox) -> None:
    """LOGOUT; when the server is already gone, just drop the socket."""
    try:
        mailbox.logout()
    except Exception as exc:
        logger.debug("IMAP logout failed (%s); closing the socket", type(exc).__name__)
        with contextlib.suppress(OSError):
            mailbox.client.shutdown()


def select(mailbox: BaseMailBox, folder: str) -> int:
    """SELECT the folder (read-write, for flags and moves) and return its UIDVALIDITY."""
    mailbox.folder.set(folder)
    values = mailbox.client.untagged_responses.get("UIDVALIDITY") or []
    for value in values:
        if isinstance(value, bytes) and value.strip().isdigit():
            return int(value)
    return int(mailbox.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])


def _check(result: tuple[str, list[Any]], what: str) -> list[Any]:
    typ, data = result
    if typ != "OK":
        text = " ".join(d.decode("utf-8", "replace") for d in data if isinstance(d, bytes))
        raise imaplib.IMAP4.error(f"{what}: {typ} {text}".strip())
    return data


def new_uids(mailbox: BaseMailBox, after_uid: int) -> list[tuple[int, int]]:
    """(uid, size) of every message with UID > after_uid, ascending."""
    data = _check(
        mailbox.client.uid("FETCH", f"{after_uid + 1}:*", "(UID RFC822.SIZE)"), "UID FETCH"
    )
    found: dict[int, int] = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if not isinstance(line, bytes):
            continue
        uid = _UID.search(line)
        if uid is None:
            continue
        size = _SIZE.search(line)
        number = int(uid.group(1))
        if number > after_uid:  # `n:*` includes the last message even when its UID < n
            found[number] = int(size.group(1)) if size else 0
    return sorted(found.items())


def fetch_raw(mailbox: BaseMailBox, uids: Iterable[int]) -> dict[int, bytes]:
    """The exact bytes of each message, without setting \\Seen."""
    uid_set = ",".join(str(u) for u in uids)
    if not uid_set:
        return {}
    data = _check(mailbox.client.uid("FETCH", uid_set, "(UID BODY.PEEK[])"), "UID FETCH")
    result: dict[int, bytes] = {}
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            uid = _UID.search(item[0])
            if uid:
                result[int(uid.group(1))] = item[1]
    return result


def mark_seen(mailbox: BaseMailBox, uids: Iterable[int]) -> None:
    uid_set = ",".join(str(u) for u in uids)
    if uid_set:
        _check(mailbox.client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Seen)"), "UID STORE")


def ensure_folder(mailbox: BaseMailBox, folder: str) -> None:
    if not mailbox.folder.exists(folder):
        mailbox.folder.create(folder)


def move(mailbox: BaseMailBox, uids: Iterable[int], folder: str) -> None:
    """MOVE where offered; else COPY and flag \\Deleted, expunging only our UIDs (UIDPLUS)."""
    uid_set = ",".join(str(u) for u in uids)
    if not uid_set:
        return
    caps = mailbox.client.capabilities
    target = encode_folder(folder).decode("ascii")  # modified UTF-7, quoted
    if "MOVE" in caps:
        _check(mailbox.client.uid("MOVE", uid_set, target), "UID MOVE")
        return
    _check(mailbox.client.uid("COPY", uid_set, target), "UID COPY")
    _check(mailbox.client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)"), "UID STORE")
    if "UIDPLUS" in caps:
        _check(mailbox.client.uid("EXPUNGE", uid_set), "UID EXPUNGE")
    # Without UIDPLUS an EXPUNGE would purge other clients' \Deleted mail too: leave it.
