"""Real concurrency for tests: threads with their own database connections, started together.

PostgreSQL runs as the test session started it. SQLite's in-memory test database cannot have
concurrent writers, so `concurrent_db` copies the (migrated, empty) test schema into a WAL
file with the production settings (IMMEDIATE transactions, busy_timeout) for the test.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections


@pytest.fixture
def concurrent_db(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    if connection.vendor != "sqlite":
        yield connection.vendor
        return
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "concurrent.sqlite3"
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    settings_dict = connection.settings_dict
    original_name = settings_dict["NAME"]
    # Detach (not close: that would drop the in-memory database) and point at the file.
    connection.connection = None
    settings_dict["NAME"] = str(path)
    try:
        connection.ensure_connection()
        with connection.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            assert cur.fetchone()[0] == "wal"
            cur.execute("PRAGMA busy_timeout")
            assert cur.fetchone()[0] >= 5000
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        yield "sqlite-wal"
    finally:
        connection.close()
        settings_dict["NAME"] = original_name
        connection.connection = memory


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in threads released at once; re-raise the first failure."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    if errors:
        raise errors[0]
    return results
