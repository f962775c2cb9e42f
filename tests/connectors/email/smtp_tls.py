"""SMTP servers for the sending tests: per-recipient refusals, STARTTLS or implicit TLS, AUTH.

Built on the recording server of tests/inboxes/smtp.py. The TLS certificate is made by the
openssl command for 127.0.0.1 and trusted through SSL_CERT_FILE, so our client verifies it
exactly as it verifies a real provider's.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.inboxes.smtp import Collector, SmtpServer, free_port

USERNAME = "mailer@shop.test"
PASSWORD = "s3cret-パスワード"


class PickyCollector(Collector):
    """Refuses chosen recipients only (e.g. the Cc), records the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse_only: dict[str, str] = {}
        self.logins: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.lower() in self.refuse_only:
            return self.refuse_only[address.lower()]
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class SecureSmtpServer(SmtpServer):
    def __init__(self, port: int, *, mode: str, cert: tuple[Path, Path] | None) -> None:
        super().__init__(port)
        self.collector: PickyCollector = PickyCollector()
        self.mode = mode  # "starttls" | "ssl" | "none"
        self.cert = cert

    def _authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        login = auth_data.login.decode()
        ok = login == USERNAME and auth_data.password.decode() == PASSWORD
        if ok:
            self.collector.logins.append(login)
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        if self._controller is not None:
            return
        kwargs: dict = {"authenticator": self._authenticate}
        if self.mode != "none":
            assert self.cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.cert)
            if self.mode == "ssl":
                # aiosmtpd only counts STARTTLS as TLS for AUTH; this session is TLS throughout.
                kwargs.update(ssl_context=context, auth_require_tls=False)
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs["auth_require_tls"] = False
        self._controller = Controller(
            self.collector, hostname="127.0.0.1", port=self.port, **kwargs
        )
        self._controller.start()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def secure_server(mode: str, cert: tuple[Path, Path] | None) -> SecureSmtpServer:
    return SecureSmtpServer(free_port(), mode=mode, cert=cert)


@pytest.fixture
def starttls_server(tls_cert, monkeypatch) -> Iterator[SecureSmtpServer]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert[0]))
    server = secure_server("starttls", tls_cert)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ssl_server(tls_cert, monkeypatch) -> Iterator[SecureSmtpServer]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert[0]))
    server = secure_server("ssl", tls_cert)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def picky_server(settings) -> Iterator[SecureSmtpServer]:  # type: ignore[no-untyped-def]
    """The global (MADOGUCHI_SMTP_*) server, plain, that can refuse single recipients."""
    server = secure_server("none", None)
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    server.stop()
