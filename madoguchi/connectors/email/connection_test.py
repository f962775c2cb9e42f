"""Connection tests for an email inbox's IMAP and SMTP servers, run from its settings page.

They connect, sign in and look around (folders, server banner, STARTTLS, AUTH) without
fetching or sending mail, and explain a failure in words an admin can act on: the name does
not resolve, the port refuses, no answer, encryption or certificate trouble, wrong login.
The password is never part of a result, even when a server echoes it back.
"""

from __future__ import annotations

import imaplib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.utils.translation import gettext as _
from imap_tools.imap_utf7 import utf7_decode, utf7_encode

TIMEOUT = 10.0  # seconds, per connect and per answer
IMAP_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
SMTP_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"(?:[^"\\]|\\.)*"|NIL) (?P<name>.*)$')
_STATUS = re.compile(rb"MESSAGES (\d+)")


@dataclass
class ConnectionResult:
    """What the settings page shows: ok or not, one sentence, and what was seen on the way."""

    ok: bool
    code: str  # ok | config | dns | refused | timeout | tls | auth | protocol | network | folder
    message: str
    details: list[tuple[str, str]] = field(default_factory=list)


class _Failed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _text(value: Any, secret: str = "") -> str:
    """One readable line of a server answer, with the password masked if it was echoed."""
    if isinstance(value, list | tuple):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value)
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    text = " ".join(text.split())[:300]
    return text.replace(secret, "••••") if secret else text


def _port(value: str, security: str, defaults: Mapping[str, int]) -> int:
    text = str(value or "").strip()
    if text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    return defaults.get(security, defaults["ssl"])


@contextmanager
def _classified(host: str, port: int, stage: list[str], secret: str) -> Iterator[None]:
    """Turn socket, TLS and protocol errors into a `_Failed` with a translated message."""
    where = {"host": host, "port": port}
    try:
        yield
    except _Failed:
        raise
    except socket.gaierror as exc:
        raise _Failed(
            "dns", _("The server name %(host)s could not be found (DNS).") % where
        ) from exc
    except ConnectionRefusedError as exc:
        raise _Failed(
            "refused",
            _(
                "%(host)s refused the connection on port %(port)s. "
                "Check the port and the security setting."
            )
            % where,
        ) from exc
    except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
        # smtplib reports a read timeout as "disconnected"; the timeout is its context.
        if not isinstance(exc, TimeoutError) and not isinstance(exc.__context__, TimeoutError):
            raise _Failed(
                "protocol",
                _("The server closed the connection: %(answer)s") % {"answer": _text(exc, secret)},
            ) from exc
        raise _Failed(
            "timeout",
            _("No answer from %(host)s on port %(port)s within %(seconds)s seconds.")
            % {**where, "seconds": int(TIMEOUT)},
        ) from exc
    except ssl.SSLCertVerificationError as exc:
        reason = _text(exc.verify_message or exc.reason or exc, secret)
        raise _Failed(
            "tls", _("The server's certificate is not trusted: %(reason)s") % {"reason": reason}
        ) from exc
    except ssl.SSLError as exc:
        raise _Failed(
            "tls",
            _(
                "The encrypted connection failed (%(reason)s). "
                "Check the security setting and the port."
            )
            % {"reason": _text(exc.reason or exc, secret)},
        ) from exc
    except (imaplib.IMAP4.error, smtplib.SMTPException) as exc:
        if stage[-1] == "login":
            raise _Failed(
                "auth",
                _("The server refused the login: %(answer)s") % {"answer": _text(exc, secret)},
            ) from exc
        raise _Failed(
            "protocol",
            _("The server did not answer as expected: %(answer)s") % {"answer": _text(exc, secret)},
        ) from exc
    except (EOFError, OSError) as exc:
        raise _Failed(
            "network",
            _("The connection to %(host)s failed: %(reason)s")
            % {**where, "reason": _text(exc, secret)},
        ) from exc


def _run(probe: Callable[[list[str], list[tuple[str, str]]], ConnectionResult], host: str,
         port: int, secret: str) -> ConnectionResult:  # fmt: skip
    details: list[tuple[str, str]] = [(_("Server"), f"{host}:{port}")]
    stage = ["connect"]
    try:
        with _classified(host, port, stage, secret):
            return probe(stage, details)
    except _Failed as failed:
        return ConnectionResult(False, failed.code, failed.message, details)


def _config(message: str) -> ConnectionResult:
    return ConnectionResult(False, "config", message)


# IMAP ------------------------------------------------------------------------------------


def _folder_names(lines: list[Any]) -> list[str]:
    names = []
    for line in lines:
        if isinstance(line, tuple):  # a literal: (b'(\\flags) "/" {5}', b'INBOX')
            head, literal = line[0], line[1]
            match = _LIST_LINE.match(bytes(head).split(b"{")[0] + b"x")
            raw = bytes(literal) if match else b""
        else:
            match = _LIST_LINE.match(bytes(line or b""))
            raw = match.group("name") if match else b""
        if not match or not raw:
            continue
        if raw.startswith(b'"') and raw.endswith(b'"'):
            raw = raw[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
        try:
            names.append(utf7_decode(raw))
        except ValueError:
            names.append(raw.decode("ascii", "replace"))
    return names


def _quoted(folder: str) -> str:
    name = utf7_encode(folder).decode("ascii")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _find(folder: str, names: list[str]) -> str | None:
    for name in names:
        if name == folder or (folder.upper() == "INBOX" and name.upper() == "INBOX"):
            return name
    return None


def check_imap(settings: Mapping[str, Any], credentials: Mapping[str, Any]) -> ConnectionResult:
    """Connect, secure, sign in, list folders and count the configured ones; fetch nothing."""
    host = str(settings.get("imap_host") or "").strip()
    if not host:
        return _config(_("Enter the IMAP server first."))
    username = str(settings.get("imap_username") or "").strip()
    password = str(credentials.get("imap_password") or "")
    if not username or not password:
        return _config(_("Enter the IMAP login and password first."))
    security = str(settings.get("imap_security") or "ssl")
    port = _port(settings.get("imap_port", ""), security, IMAP_PORTS)
    wanted = [f.strip() for f in str(settings.get("imap_folder") or "INBOX").split(",")]
    wanted = [f for f in wanted if f] or ["INBOX"]
    move_to = str(settings.get("imap_move_to") or "").strip()
    if settings.get("imap_after") == "move" and move_to:
        wanted_extra = [move_to]
    else:
        wanted_extra = []

    def probe(stage: list[str], details: list[tuple[str, str]]) -> ConnectionResult:
        context = ssl.create_default_context()
        conn: imaplib.IMAP4
        if security == "ssl":
            conn = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=TIMEOUT)
        else:
            conn = imaplib.IMAP4(host, port, timeout=TIMEOUT)
        try:
            details.append((_("Greeting"), _text(conn.welcome, password)))
            offered = "STARTTLS" in conn.capabilities
            if security == "starttls":
                if not offered:
                    raise _Failed("tls", _("The server does not offer STARTTLS."))
                stage.append("tls")
                conn.starttls(ssl_context=context)
                details.append(("STARTTLS", _("used")))
            elif security == "none":
                details.append(
                    ("STARTTLS", _("offered, not used") if offered else _("not offered"))
                )
                if "LOGINDISABLED" in conn.capabilities:
                    raise _Failed(
                        "auth", _("The server allows no login without encryption (LOGINDISABLED).")
                    )
            stage.append("login")
            conn.login(username, password)
            stage.append("folders")
            capabilities = sorted(c for c in conn.capabilities if c in {"IDLE", "MOVE", "UIDPLUS"})
            details.append((_("Capabilities"), ", ".join(capabilities) or "—"))
            status, lines = conn.list()
            names = _folder_names(lines if status == "OK" else [])
            details.append((_("Folders on the server"), ", ".join(names[:40]) or "—"))
            missing = []
            for folder in [*wanted, *wanted_extra]:
                found = _find(folder, names)
                if found is None:
                    missing.append(folder)
                    continue
                status, data = conn.status(_quoted(found), "(MESSAGES)")
                count = _STATUS.search(bytes(data[0] or b"")) if status == "OK" and data else None
                details.append(
                    (
                        _("Folder %(name)s") % {"name": found},
                        _("%(count)s mails") % {"count": count.group(1).decode()}
                        if count
                        else _("found"),
                    )
                )
        finally:
            try:
                conn.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
        if missing:
            return ConnectionResult(
                False,
                "folder",
                _("Signed in, but these folders do not exist: %(folders)s")
                % {"folders": ", ".join(missing)},
                details,
            )
        return ConnectionResult(
            True, "ok", _("Connected and signed in to the IMAP server."), details
        )

    return _run(probe, host, port, password)


# SMTP ------------------------------------------------------------------------------------


def _smtp_target(settings: Mapping[str, Any], credentials: Mapping[str, Any]) -> dict[str, Any]:
    """The inbox's own server, or the server-wide MADOGUCHI_SMTP_* one it falls back to."""
    host = str(settings.get("smtp_host") or "").strip()
    if host:
        security = str(settings.get("smtp_security") or "starttls")
        return {
            "host": host,
            "port": _port(settings.get("smtp_port", ""), security, SMTP_PORTS),
            "security": security,
            "username": str(settings.get("smtp_username") or "").strip(),
            "password": str(credentials.get("smtp_password") or ""),
            "fallback": False,
        }
    s = django_settings
    security = "ssl" if s.EMAIL_USE_SSL else "starttls" if s.EMAIL_USE_TLS else "none"
    return {
        "host": s.EMAIL_HOST,
        "port": int(s.EMAIL_PORT),
        "security": security,
        "username": s.EMAIL_HOST_USER,
        "password": s.EMAIL_HOST_PASSWORD,
        "fallback": True,
    }


def check_smtp(settings: Mapping[str, Any], credentials: Mapping[str, Any]) -> ConnectionResult:
    """Connect, greet (EHLO), secure and sign in; no mail is sent."""
    sending = str(settings.get("sending") or "smtp")
    if sending != "smtp":
        return _config(
            _("Replies go through a provider (%(provider)s); no SMTP server is used.")
            % {"provider": sending}
        )
    target = _smtp_target(settings, credentials)
    host, port, security = target["host"], target["port"], target["security"]
    username, password = target["username"], target["password"]
    if username and not password:
        return _config(_("Enter the SMTP password too, or leave the login empty."))

    def probe(stage: list[str], details: list[tuple[str, str]]) -> ConnectionResult:
        if target["fallback"]:
            details.append((_("Settings"), _("server-wide (this inbox has no SMTP server)")))
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if security == "ssl":
            conn = smtplib.SMTP_SSL(timeout=TIMEOUT, context=context)
        else:
            conn = smtplib.SMTP(timeout=TIMEOUT)
        try:
            code, banner = conn.connect(host, port)
            # STARTTLS checks the certificate against this name; only __init__ would set it.
            conn._host = host  # type: ignore[attr-defined]
            details.append((_("Greeting"), f"{code} {_text(banner, password)}"))
            if code != 220:
                raise _Failed(
                    "protocol",
                    _("The server did not answer as expected: %(answer)s")
                    % {"answer": f"{code} {_text(banner, password)}"},
                )
            conn.ehlo()
            offered = conn.has_extn("starttls")
            if security == "starttls":
                if not offered:
                    raise _Failed("tls", _("The server does not offer STARTTLS."))
                stage.append("tls")
                conn.starttls(context=context)
                conn.ehlo()
                details.append(("STARTTLS", _("used")))
            elif security == "none":
                details.append(
                    ("STARTTLS", _("offered, not used") if offered else _("not offered"))
                )
            auth = conn.esmtp_features.get("auth", "").strip()
            details.append((_("Login methods (AUTH)"), auth or "—"))
            size = conn.esmtp_features.get("size", "").strip()
            if size.isdigit() and int(size):
                details.append((_("Size limit"), f"{int(size) // (1024 * 1024)} MB"))
            if username:
                if not auth:
                    raise _Failed(
                        "auth",
                        _("The server offers no login (AUTH) on this connection."),
                    )
                stage.append("login")
                conn.login(username, password)
        finally:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
        if username:
            message = _("Connected and signed in to the SMTP server.")
        else:
            message = _("Connected to the SMTP server (no login configured).")
        return ConnectionResult(True, "ok", message, details)

    return _run(probe, host, port, password)
