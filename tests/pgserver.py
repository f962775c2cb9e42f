"""Run a command against a throwaway PostgreSQL server started from the installed binaries.

    python tests/pgserver.py pytest -q

initdb into a temporary folder, start on a free loopback port, export DATABASE_URL, run
the command, stop the server, exit with the command's status. Runs as root too (the
server itself runs as the `postgres` user then).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str]) -> int:
    bindir = _bindir()
    root = tempfile.mkdtemp(prefix="madoguchi-pg-")
    data = os.path.join(root, "data")
    port = _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*as_user, f"{bindir}/initdb", "-D", data, "-U", "madoguchi", "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8", "-N"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            [*as_user, f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l",
             os.path.join(root, "log"), "-w", "start"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        env = dict(os.environ)
        env["DATABASE_URL"] = f"postgres://madoguchi@127.0.0.1:{port}/postgres"
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        return subprocess.call(argv, env=env)
    finally:
        subprocess.run(
            [*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["pytest"]))
