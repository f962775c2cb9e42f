"""A real Dovecot IMAP server for the test session, plus helpers that act as "another client".

`/usr/sbin/dovecot -F -c <tmp>/dovecot.conf` runs on a free 127.0.0.1 port with plain IMAP (no
TLS), passwd-file users and Maildir storage in a temporary folder. One server per session;
each test gets its own fresh user (`imap_user`), so tests never see each other's mail.

Works as root (CI: mail is stored as the `dovecot` system user, login processes run as
`dovenull`) and as an ordinary user (everything runs as that user). Dovecot 2.3 and 2.4 have
different configuration syntax; both are written here. The fixtures skip, with the reason shown,
only when the dovecot binary is absent; a server that is installed but fails to start fails.

Use from any conftest:  ``from tests.mailserver.dovecot import dovecot, imap_user  # noqa: F401``
"""

from __future__ import annotations

import datetime as dt
import grp
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
START_TIMEOUT = 10.0
_user_numbers = itertools.count(1)


def dovecot_binary() -> str | None:
    for path in DOVECOT_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("dovecot")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _version(binary: str) -> tuple[int, int]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    match = re.match(r"(\d+)\.(\d+)", out.stdout.strip())
    if not match:
        raise RuntimeError(f"cannot read the dovecot version from {out.stdout!r}")
    return int(match.group(1)), int(match.group(2))


def _system_user(*names: str) -> str:
    for name in names:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError(f"none of the users {names} exists")


def _config_23(root: Path, port: int, mail_user: str, mail_group: str, rooted: bool) -> str:
    internal = _system_user("dovecot", mail_user) if rooted else mail_user
    login = _system_user("dovenull", "nobody") if rooted else mail_user
    internal_group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
    chroot = "" if rooted else "  chroot =\n"
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
mail_uid = {mail_user}
mail_gid = {mail_group}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = home={root}/home/%u
}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# no growing delay after failed logins from 127.0.0.1 (the wrong-password tests)
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def _config_24(root: Path, port: int, mail_user: str, mail_group: str, rooted: bool) -> str:
    internal = _system_user("dovecot", mail_user) if rooted else mail_user
    login = _system_user("dovenull", "nobody") if rooted else mail_user
    internal_group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
    chroot = "" if rooted else "  chroot =\n"
    # Written from the 2.4 documentation (settings renamed: auth_allow_cleartext, mail_driver,
    # named passdb/userdb blocks); the global `listen` covers the listener. Passwords carry
    # their {PLAIN} scheme, so no default scheme is needed.
    return f"""\
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
protocols {{
  imap = yes
}}
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
mail_uid = {mail_user}
mail_gid = {mail_group}
first_valid_uid = 1
first_valid_gid = 1
mail_home = {root}/home/%{{user}}
mail_driver = maildir
mail_path = ~/Maildir
namespace inbox {{
  inbox = yes
  separator = .
}}
passdb passwd-file {{
  passwd_file_path = {root}/passwd
}}
userdb static {{
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class DovecotServer:
    """One running Dovecot; helpers log in as the given user like any other mail client."""

    binary: str
    root: Path
    host: str = "127.0.0.1"
    port: int = 0
    version: tuple[int, int] = (0, 0)
    passwords: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    pool_size: int = 200
    _pool: list[str] = field(default_factory=list)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self) -> None:
        self.version = _version(self.binary)
        self.port = _free_port()
        rooted = os.geteuid() == 0
        if rooted:
            # Dovecot refuses mail access as root: store mail as its own system user.
            mail_user = _system_user("dovecot", "nobody")
        else:
            mail_user = pwd.getpwuid(os.geteuid()).pw_name
        mail_group = grp.getgrgid(pwd.getpwnam(mail_user).pw_gid).gr_name
        writer = _config_24 if self.version >= (2, 4) else _config_23
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(
            writer(self.root, self.port, mail_user, mail_group, rooted), encoding="utf-8"
        )
        (self.root / "passwd").write_text("", encoding="utf-8")
        for _ in range(self.pool_size):
            name = f"user{next(_user_numbers)}"
            self._write_user(name)
            self._pool.append(name)
        if rooted:
            pw = pwd.getpwnam(mail_user)
            for path in (self.root, self.root / "home", self.root / "state"):
                os.chown(path, pw.pw_uid, pw.pw_gid)
            os.chmod(self.root, 0o755)
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self._output()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.03)
        self.stop()
        raise RuntimeError(f"dovecot did not listen within {START_TIMEOUT} s:\n{self._output()}")

    def _output(self) -> str:
        parts = []
        if self.process is not None and self.process.stdout and self.process.poll() is not None:
            parts.append(self.process.stdout.read().decode(errors="replace"))
        log = self.root / "dovecot.log"
        if log.exists():
            parts.append(log.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout:
            self.process.stdout.close()
        self.process = None

    # -- users -----------------------------------------------------------------------------

    def add_user(self, name: str | None = None, password: str | None = None) -> str:
        """A fresh mail account. Accounts are written to the passwd-file before start: Dovecot
        re-reads that file at most once a second, so a line added now may not work at once."""
        if name is None and password is None and self._pool:
            return self._pool.pop(0)
        name = name or f"user{next(_user_numbers)}"
        self._write_user(name, password)
        time.sleep(1.1)  # the passwd-file re-read throttle
        return name

    def _write_user(self, name: str, password: str | None = None) -> None:
        password = password or f"pw-{name}-{os.getpid()}"
        if ":" in name or ":" in password:
            raise ValueError("passwd-file entries cannot contain ':'")
        self.passwords[name] = password
        with (self.root / "passwd").open("a", encoding="utf-8") as f:
            f.write(f"{name}:{{PLAIN}}{password}\n")

    def mailbox(self, user: str, folder: str | None = "INBOX") -> MailBoxUnencrypted:
        """A logged-in imap-tools session (use as a context manager)."""
        return MailBoxUnencrypted(self.host, self.port, timeout=10).login(
            user, self.passwords[user], initial_folder=folder
        )

    # -- acting as another mail client ------------------------------------------------------

    def append(
        self,
        user: str,
        folder: str,
        raw: bytes,
        flags: Iterable[str] = (),
        date: dt.datetime | None = None,
    ) -> int:
        """APPEND a mail (optionally with flags and an old internal date); returns its UID."""
        with self.mailbox(user, None) as mb:
            if folder != "INBOX" and not mb.folder.exists(folder):
                mb.folder.create(folder)
            when = date or dt.datetime.now(dt.UTC)
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            _typ, data = mb.append(raw, folder, dt=when, flag_set=list(flags))
            match = re.search(rb"APPENDUID \d+ (\d+)", b" ".join(d for d in data if d))
            if match:
                return int(match.group(1))
            mb.folder.set(folder)
            return max(int(u) for u in mb.uids("ALL"))

    def set_flag_seen(self, user: str, folder: str, uids: Iterable[int], seen: bool = True) -> None:
        with self.mailbox(user, folder) as mb:
            sign = "+" if seen else "-"
            uid_set = ",".join(str(u) for u in uids)
            typ, _data = mb.client.uid("STORE", uid_set, f"{sign}FLAGS.SILENT", r"(\Seen)")
            assert typ == "OK", _data

    def flags(self, user: str, folder: str) -> dict[int, set[str]]:
        """UID → flags of every mail in the folder."""
        with self.mailbox(user, folder) as mb:
            typ, data = mb.client.uid("FETCH", "1:*", "(UID FLAGS)")
            assert typ == "OK", data
            result: dict[int, set[str]] = {}
            for line in data:
                if not isinstance(line, bytes):
                    continue
                uid = re.search(rb"UID (\d+)", line)
                flags = re.search(rb"FLAGS \(([^)]*)\)", line)
                if uid:
                    names = flags.group(1).decode().split() if flags else []
                    result[int(uid.group(1))] = set(names)
            return result

    def uids(self, user: str, folder: str) -> list[int]:
        return sorted(self.flags(user, folder))

    def create_folder(self, user: str, folder: str) -> None:
        with self.mailbox(user, None) as mb:
            if not mb.folder.exists(folder):
                mb.folder.create(folder)

    def folder_exists(self, user: str, folder: str) -> bool:
        with self.mailbox(user, None) as mb:
            return bool(mb.folder.exists(folder))

    def uidvalidity(self, user: str, folder: str) -> int:
        with self.mailbox(user, None) as mb:
            return int(mb.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])

    def recreate_folder(self, user: str, folder: str) -> int:
        """DELETE + CREATE over IMAP: the folder comes back empty with a new UIDVALIDITY and UIDs
        starting at 1 again, as after a server migration. Returns the new UIDVALIDITY."""
        if folder.upper() == "INBOX":
            raise ValueError("INBOX cannot be deleted; use change_uidvalidity()")
        with self.mailbox(user, None) as mb:
            mb.folder.delete(folder)
            mb.folder.create(folder)
            return int(mb.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])

    def change_uidvalidity(self, user: str, folder: str, value: int | None = None) -> int:
        """Set a new UIDVALIDITY on an existing folder (INBOX too) through `doveadm`."""
        value = value or self.uidvalidity(user, folder) + 1000
        doveadm = Path(self.binary).with_name("doveadm")
        subprocess.run(
            [str(doveadm) if doveadm.exists() else "doveadm", "-c", str(self.config_path),
             "mailbox", "update", "-u", user, "--uid-validity", str(value), folder],
            check=True, capture_output=True,
        )  # fmt: skip
        return value


def _start_server() -> Iterator[DovecotServer]:
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd); IMAP tests skipped")
    root = Path(tempfile.mkdtemp(prefix="madoguchi-dovecot-"))
    server = DovecotServer(binary=binary, root=root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """The session's Dovecot (started on first use, stopped at session end)."""
    yield from _start_server()


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> str:
    """A fresh mail account with an empty INBOX."""
    return dovecot.add_user()
