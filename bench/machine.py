"""What the numbers were measured on: CPU, memory, Python, PostgreSQL and its settings."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parent / "out"
SERVER_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "fsync",
    "synchronous_commit",
    "full_page_writes",
    "max_parallel_workers_per_gather",
    "jit",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info() -> dict[str, Any]:
    """Facts about this machine and the database server (needs Django set up)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0]
        settings = {}
        for name in SERVER_SETTINGS:
            cur.execute(f"SHOW {name}")
            settings[name] = cur.fetchone()[0]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ram_gib": _ram_gib(),
        "python": platform.python_version(),
        "postgresql": version.split(" on ")[0],
        "postgresql_settings": settings,
        "commit": _commit(),
    }


def table_sizes() -> dict[str, int]:
    """Row counts of the tables the benchmark fills (exact, so it takes a moment at 1M)."""
    from django.db import connection

    tables = [
        "customers_customer",
        "customers_identity",
        "tickets_ticket",
        "tickets_message",
        "tickets_ticket_tags",
        "tickets_timelineevent",
        "search_searchdocument",
    ]
    sizes = {}
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            sizes[table] = int(cur.fetchone()[0])
        cur.execute("SELECT pg_database_size(current_database())")
        sizes["database_bytes"] = int(cur.fetchone()[0])
    return sizes


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Print the result as JSON and keep a copy in bench/out/<name>.json."""
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    path.write_text(text + "\n", encoding="utf-8")
    print(text)
    return path
