"""EXPLAIN (ANALYZE, BUFFERS) for the slow SQL behind each measured read.

    DATABASE_URL=postgres://… python bench/explain.py [--min-ms 10] [--case search]

Runs each case once to warm up, once with every statement timed, and explains the
statements that took at least --min-ms. The plans are what docs/performance.md quotes.
Writes bench/out/explain-<tickets>.txt too.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgload import require_postgres, setup_django


def deep_cursor(reader: Any, agent: Any, view: str, pages: int) -> str:
    """The cursor of the deepest page within `pages` pages of a view (as api.py walks)."""
    found, cursor = "", reader.next_cursor(reader.list(agent, view=view))
    for _ in range(pages):
        if not cursor:
            break
        found = cursor
        cursor = reader.next_cursor(reader.list(agent, view=view, cursor=cursor))
    return found


def cases(agents: dict[str, Any], pages: int) -> dict[str, Callable[[], Any]]:
    from api import SEARCH_TERMS
    from readers import QueryReader

    from madoguchi.search.index import match
    from madoguchi.search.models import DocumentKind
    from madoguchi.tickets.access import visible_tickets
    from madoguchi.tickets.queries import VIEWS, view_counts

    reader = QueryReader()
    out: dict[str, Callable[[], Any]] = {}
    for who, agent in agents.items():
        for view in VIEWS:
            out[f"list.{view}.{who}"] = lambda a=agent, v=view: reader.list(a, view=v)
            cursor = deep_cursor(reader, agent, view, pages)
            if cursor:
                out[f"list.{view}.{who}.deep"] = lambda a=agent, v=view, c=cursor: reader.list(
                    a, view=v, cursor=c
                )
        out[f"view_counts.{who}"] = lambda a=agent: view_counts(a)
        for lang, term in SEARCH_TERMS.items():
            out[f"search.{lang}.{who}"] = lambda a=agent, t=term: reader.list(a, q=t)
        tid = visible_tickets(agent).order_by("-pk").values_list("pk", flat=True).first()
        out[f"ticket_detail.{who}"] = lambda a=agent, t=tid: reader.detail(a, t)
        cid = visible_tickets(agent).order_by("pk").values_list("customer_id", flat=True).first()
        out[f"customer_detail.{who}"] = lambda a=agent, c=cid: reader.customer(a, c)
    out["search_match.ja"] = lambda: match(DocumentKind.TICKET, "返品", limit=2000)
    return out


def explain_case(name: str, call: Callable[[], Any], min_ms: float) -> list[str]:
    from django.db import connection, transaction

    call()
    seen: list[tuple[float, str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append(((time.perf_counter() - started) * 1000, sql, params))

    with connection.execute_wrapper(wrapper):
        call()
    lines = [f"=== {name}: {len(seen)} statements, {sum(ms for ms, _, _ in seen):.1f} ms in SQL"]
    # Replay settings the code changes for a statement (set_config(...)) so the plan is the same.
    with transaction.atomic(), connection.cursor() as cur:
        for ms, sql, params in seen:
            if "set_config(" in sql:
                cur.execute(sql, params)
                continue
            if ms < min_ms or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            lines.append(f"--- {ms:.1f} ms: {sql[:2000]}  -- params {list(params or [])[:20]}")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines.extend(row[0] for row in cur.fetchall())
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--min-ms", type=float, default=10.0)
    p.add_argument("--case", default="", help="only cases whose name contains this")
    p.add_argument("--deep-pages", type=int, default=100)
    p.add_argument("--name", default="", help="output name (default: explain-<tickets>)")
    args = p.parse_args(argv)
    setup_django()
    require_postgres()
    from api import bench_agents
    from machine import OUT_DIR

    from madoguchi.tickets.models import Ticket

    all_cases = cases(bench_agents(), args.deep_pages)
    text: list[str] = []
    for name, call in all_cases.items():
        if args.case in name:
            text += explain_case(name, call, args.min_ms)
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"{args.name or f'explain-{Ticket.objects.count()}'}.txt"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
