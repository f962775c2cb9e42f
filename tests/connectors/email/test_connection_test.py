"""Connection tests against real servers: the session's Dovecot, aiosmtpd (plain, with AUTH,
with a self-signed STARTTLS certificate), a closed port, a port that never answers and TCP
servers that greet wrongly. Every failure is classified; the password never shows."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.utils import translation

from madoguchi.connectors.email import connection_test
from madoguchi.connectors.email.connection_test import check_imap, check_smtp
from tests.inboxes.smtp import SmtpServer, free_port, smtp_down, smtp_server  # noqa: F401
from tests.mailserver.dovecot import DovecotServer

PASSWORD = "pw-Zq81-secret"


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def _imap(host: str, port: int, **extra: str) -> dict[str, str]:
    return {"imap_host": host, "imap_port": str(port), "imap_security": "none",
            "imap_username": "someone", **extra}  # fmt: skip


def _smtp(port: int, **extra: str) -> dict[str, str]:
    return {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_security": "none", **extra}


def _no_secret(result: connection_test.ConnectionResult, secret: str = PASSWORD) -> None:
    assert secret not in result.message
    assert all(secret not in f"{k}{v}" for k, v in result.details)


class ScriptedServer:
    """A TCP server on loopback that sends one line and then reads until the client leaves,
    or (greeting=None) accepts and never says anything."""

    def __init__(self, greeting: bytes | None) -> None:
        self.greeting = greeting
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.clients: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.clients.append(conn)
            if self.greeting is not None:
                try:
                    conn.sendall(self.greeting)
                except OSError:
                    pass

    def close(self) -> None:
        for conn in self.clients:
            conn.close()
        self.sock.close()


@pytest.fixture
def scripted() -> Iterator[list[ScriptedServer]]:
    servers: list[ScriptedServer] = []
    yield servers
    for server in servers:
        server.close()


def _serve(servers: list[ScriptedServer], greeting: bytes | None) -> ScriptedServer:
    server = ScriptedServer(greeting)
    servers.append(server)
    return server


# IMAP against the real Dovecot -------------------------------------------------------------


def test_imap_signs_in_and_counts_the_folders(dovecot: DovecotServer, imap_user: str):
    dovecot.append(imap_user, "INBOX", b"From: a@example.jp\r\nSubject: x\r\n\r\nhello\r\n")
    dovecot.create_folder(imap_user, "Done")
    settings = _imap(dovecot.host, dovecot.port, imap_username=imap_user,
                     imap_folder="INBOX", imap_after="move", imap_move_to="Done")  # fmt: skip
    result = check_imap(settings, {"imap_password": dovecot.passwords[imap_user]})
    details = dict(result.details)
    assert (result.ok, result.code) == (True, "ok"), result
    assert result.message == "Connected and signed in to the IMAP server."
    assert "Dovecot" in details["Greeting"] or details["Greeting"].startswith("* OK")
    assert details["Folder INBOX"] == "1 mails"
    assert details["Folder Done"] == "0 mails"
    assert "INBOX" in details["Folders on the server"]
    assert details["STARTTLS"] in ("not offered", "offered, not used")


def test_imap_missing_folder_is_named(dovecot: DovecotServer, imap_user: str):
    settings = _imap(dovecot.host, dovecot.port, imap_username=imap_user,
                     imap_folder="INBOX, サポート")  # fmt: skip
    result = check_imap(settings, {"imap_password": dovecot.passwords[imap_user]})
    assert (result.ok, result.code) == (False, "folder")
    assert "サポート" in result.message


def test_imap_japanese_folder_is_found(dovecot: DovecotServer, imap_user: str):
    dovecot.create_folder(imap_user, "問い合わせ")
    settings = _imap(dovecot.host, dovecot.port, imap_username=imap_user, imap_folder="問い合わせ")
    result = check_imap(settings, {"imap_password": dovecot.passwords[imap_user]})
    assert result.ok, result
    assert dict(result.details)["Folder 問い合わせ"] == "0 mails"


def test_imap_wrong_password_is_auth_and_never_echoed(dovecot: DovecotServer, imap_user: str):
    settings = _imap(dovecot.host, dovecot.port, imap_username=imap_user)
    result = check_imap(settings, {"imap_password": PASSWORD})
    assert (result.ok, result.code) == (False, "auth")
    assert result.message.startswith("The server refused the login:")
    _no_secret(result)


def test_imap_starttls_not_offered_is_tls(dovecot: DovecotServer, imap_user: str):
    settings = _imap(dovecot.host, dovecot.port, imap_username=imap_user, imap_security="starttls")
    result = check_imap(settings, {"imap_password": dovecot.passwords[imap_user]})
    assert (result.ok, result.code) == (False, "tls")


def test_imap_ssl_against_a_plain_server_is_tls(dovecot: DovecotServer, imap_user: str):
    settings = _imap(dovecot.host, dovecot.port, imap_username=imap_user, imap_security="ssl")
    result = check_imap(settings, {"imap_password": dovecot.passwords[imap_user]})
    assert (result.ok, result.code) == (False, "tls")
    assert "Check the security setting and the port." in result.message


# IMAP and SMTP failure paths ----------------------------------------------------------------


def test_closed_port_is_refused():
    port = free_port()
    imap = check_imap(_imap("127.0.0.1", port), {"imap_password": PASSWORD})
    smtp = check_smtp(_smtp(port), {})
    for result in (imap, smtp):
        assert (result.ok, result.code) == (False, "refused")
        assert f"port {port}" in result.message


def test_unknown_host_is_dns():
    result = check_imap(_imap("no-such-host.invalid", 993), {"imap_password": PASSWORD})
    assert (result.ok, result.code) == (False, "dns")
    assert "no-such-host.invalid" in result.message


def test_silent_server_times_out(scripted, monkeypatch):
    monkeypatch.setattr(connection_test, "TIMEOUT", 0.5)
    server = _serve(scripted, None)
    imap = check_imap(_imap("127.0.0.1", server.port), {"imap_password": PASSWORD})
    smtp = check_smtp(_smtp(server.port), {})
    for result in (imap, smtp):
        assert (result.ok, result.code) == (False, "timeout"), result


def test_bad_greetings_are_protocol_errors(scripted):
    imap_server = _serve(scripted, b"HELLO this is not IMAP\r\n")
    smtp_fake = _serve(scripted, b"554 5.7.1 go away\r\n")
    imap = check_imap(_imap("127.0.0.1", imap_server.port), {"imap_password": PASSWORD})
    smtp = check_smtp(_smtp(smtp_fake.port), {})
    assert (imap.ok, imap.code) == (False, "protocol")
    assert (smtp.ok, smtp.code) == (False, "protocol")
    assert "554" in smtp.message


def test_missing_settings_are_config_errors(settings):
    assert check_imap({}, {}).code == "config"
    assert check_imap({"imap_host": "imap.example.jp"}, {}).code == "config"
    assert check_smtp({"sending": "sendgrid"}, {}).code == "config"
    assert check_smtp(_smtp(25, smtp_username="me"), {}).code == "config"


# SMTP against aiosmtpd ---------------------------------------------------------------------


def test_smtp_greeting_and_features(smtp_server: SmtpServer):  # noqa: F811
    result = check_smtp(_smtp(smtp_server.port), {})
    details = dict(result.details)
    assert (result.ok, result.code) == (True, "ok"), result
    assert result.message == "Connected to the SMTP server (no login configured)."
    assert details["Greeting"].startswith("220 ")
    assert details["STARTTLS"] == "not offered"
    assert smtp_server.envelopes == []  # nothing is sent


def test_smtp_falls_back_to_the_server_wide_settings(smtp_server: SmtpServer):  # noqa: F811
    result = check_smtp({}, {})
    assert result.ok, result
    assert dict(result.details)["Server"] == f"127.0.0.1:{smtp_server.port}"
    assert "server-wide" in dict(result.details)["Settings"]


class _Authenticator:
    def __call__(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_auth() -> Iterator[int]:
    port = free_port()
    controller = Controller(
        object(), hostname="127.0.0.1", port=port,
        authenticator=_Authenticator(), auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    yield port
    controller.stop()


def test_smtp_login_right_and_wrong(smtp_auth: int):
    good = check_smtp(_smtp(smtp_auth, smtp_username="shop"), {"smtp_password": PASSWORD})
    assert (good.ok, good.code) == (True, "ok"), good
    assert good.message == "Connected and signed in to the SMTP server."
    assert "PLAIN" in dict(good.details)["Login methods (AUTH)"]
    bad = check_smtp(_smtp(smtp_auth, smtp_username="shop"), {"smtp_password": "wrong-" + PASSWORD})
    assert (bad.ok, bad.code) == (False, "auth")
    _no_secret(bad, "wrong-" + PASSWORD)


def test_smtp_login_without_auth_offered(smtp_server: SmtpServer):  # noqa: F811
    result = check_smtp(_smtp(smtp_server.port, smtp_username="shop"), {"smtp_password": PASSWORD})
    assert (result.ok, result.code) == (False, "auth")


def _self_signed(tmp_path) -> ssl.SSLContext:  # type: ignore[no-untyped-def]
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


def test_smtp_starttls_with_an_untrusted_certificate_is_tls(tmp_path):
    port = free_port()
    controller = Controller(
        object(), hostname="127.0.0.1", port=port, tls_context=_self_signed(tmp_path)
    )
    controller.start()
    try:
        result = check_smtp(_smtp(port, smtp_security="starttls"), {})
        plain = check_smtp(_smtp(port), {})
    finally:
        controller.stop()
    assert (result.ok, result.code) == (False, "tls")
    assert result.message.startswith("The server's certificate is not trusted")
    assert dict(plain.details)["STARTTLS"] == "offered, not used"


def test_smtp_starttls_required_but_not_offered(smtp_server: SmtpServer):  # noqa: F811
    result = check_smtp(_smtp(smtp_server.port, smtp_security="starttls"), {})
    assert (result.ok, result.code) == (False, "tls")
    assert result.message == "The server does not offer STARTTLS."
