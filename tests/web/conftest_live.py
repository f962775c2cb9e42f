"""A live ASGI server (uvicorn, HTTP + WebSocket) for browser tests of the live console.

pytest-django's live_server speaks WSGI only, so it cannot carry WebSockets. This runs
`madoguchi.asgi.application` under uvicorn in a background thread on a free port, against the
test database. The SQLite test database is in memory (shared cache), where a writer locks
whole tables and readers in other threads fail at once instead of waiting; so for SQLite the
fixture copies the test database to a file (WAL, busy timeout from settings) and points every
connection at it for the test — the main thread's in-memory connection stays open and is
restored afterwards, so pytest-django's flush and later tests are unaffected. PostgreSQL
needs nothing of this. Use `serve_asgi(tmp_path)` in a fixture of the test module, or import
the `live_asgi` fixture.
"""

from __future__ import annotations

import gc
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _drop_default_connections() -> None:
    """Close the "default" connection of every wrapper in the process (every thread, every
    context: Playwright's sync API runs fixtures in contexts of its own), so each reconnects
    with the current settings on its next query."""
    for obj in gc.get_objects():
        # type(), not isinstance(): lazy objects answer __class__ by evaluating themselves.
        if issubclass(type(obj), BaseDatabaseWrapper) and obj.alias == "default" and obj.connection:
            obj.connection.close()
            obj.connection = None


@contextmanager
def _file_database(folder: Path) -> Iterator[None]:
    """While inside: every "default" connection uses a file copy of the in-memory test DB.

    The settings dict is changed in place (every wrapper shares it) and all wrappers
    reconnect; at the end the same happens backwards. A plain connection keeps the in-memory
    database alive meanwhile.
    """
    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():
        yield
        return
    memory_name = conn.settings_dict["NAME"]
    keeper = sqlite3.connect(memory_name, uri=True)
    path = folder / "live.sqlite3"
    target = sqlite3.connect(path)
    keeper.backup(target)
    target.close()
    conn.settings_dict["NAME"] = str(path)
    _drop_default_connections()
    try:
        yield
    finally:
        _drop_default_connections()
        conn.settings_dict["NAME"] = memory_name
        conn.ensure_connection()  # hold the in-memory database before the keeper lets go
        keeper.close()


@contextmanager
def serve_asgi(folder: Path) -> Iterator[SimpleNamespace]:
    """Run uvicorn on a free port while inside; `.url` is its address. Needs a DB-enabled test
    (transactional_db: the server's threads must see committed rows)."""
    import uvicorn

    with _file_database(folder):
        from madoguchi.asgi import application

        port = _free_port()
        config = uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="live-asgi", daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        try:
            yield SimpleNamespace(url=f"http://127.0.0.1:{port}", server=server)
        finally:
            server.should_exit = True
            thread.join(10)
            # The server's threads keep connections (PostgreSQL: CONN_MAX_AGE); an open one
            # would stop the test database from being dropped at the end of the session.
            _drop_default_connections()


@pytest.fixture
def live_asgi(transactional_db, tmp_path) -> Iterator[SimpleNamespace]:  # type: ignore[no-untyped-def]
    """`live_asgi.url`: a running uvicorn with HTTP and WebSocket, stopped after the test."""
    with serve_asgi(tmp_path) as server:
        yield server
