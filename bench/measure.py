"""Timing helpers: percentiles of server time, with the SQL time of each request beside it."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def summary(
    samples_ms: list[float], db_ms: list[float], queries: list[int], cpu_ms: list[float]
) -> dict[str, Any]:
    s, d, c = sorted(samples_ms), sorted(db_ms), sorted(cpu_ms)
    return {
        "n": len(s),
        "p50_ms": round(percentile(s, 50), 2),
        "p95_ms": round(percentile(s, 95), 2),
        "p99_ms": round(percentile(s, 99), 2),
        "max_ms": round(s[-1], 2) if s else 0.0,
        "mean_ms": round(sum(s) / len(s), 2) if s else 0.0,
        "db_p50_ms": round(percentile(d, 50), 2),
        "db_p95_ms": round(percentile(d, 95), 2),
        "python_cpu_p50_ms": round(percentile(c, 50), 2),
        "queries": max(queries) if queries else 0,
    }


class SqlClock:
    """Adds up the time spent inside database calls (Django's execute wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


@contextmanager
def sql_clock() -> Any:
    from django.db import connection

    clock = SqlClock()
    with connection.execute_wrapper(clock):
        yield clock


def measure(
    call: Callable[[int], Any],
    *,
    reps: int,
    warmup: int,
    budget_s: float = 60.0,
    min_reps: int = 10,
) -> dict[str, Any]:
    """Run `call(i)` warmup + reps times; time the reps (wall clock, ms) and their SQL.

    A case slower than `budget_s` in total stops early (after at least `min_reps`), so one
    very slow read cannot hold the whole run up; `n` in the result says how many were timed.
    """
    started_all = time.perf_counter()
    for i in range(warmup):
        call(i)
        if time.perf_counter() - started_all > budget_s / 4:
            break
    samples, db, queries, cpu = [], [], [], []
    started_all = time.perf_counter()
    for i in range(reps):
        with sql_clock() as clock:
            cpu_started = time.process_time()
            started = time.perf_counter()
            call(warmup + i)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        db.append(clock.seconds * 1000)
        queries.append(clock.count)
        if i + 1 >= min_reps and time.perf_counter() - started_all > budget_s:
            break
    return summary(samples, db, queries, cpu)
