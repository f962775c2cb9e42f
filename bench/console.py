"""Server time of the agent console's pages: the inbox (every view, sorted, searched, deep
pages, the htmx results fragment) and the ticket workspace.

    DATABASE_URL=postgres://… python bench/console.py

Needs a database filled by bench/generate.py. Pages are rendered through Django's whole
stack in-process (test Client with a signed-in session: routing, middleware, session auth,
the view, the ORM, template rendering, the side-nav counts) — the server's time without a
network in front. Each case: warm-up, then --reps timed requests; p50/p95/p99/max in ms,
with the SQL time and the number of queries of the same requests. Prints JSON, keeps
bench/out/<name>.json.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgload import require_postgres, setup_django

CURSOR = re.compile(r'name="cursor" value="([^"]+)"|[?&;]cursor=([^"&]+)')


def log(message: str) -> None:
    print(f"[console {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=100, help="timed requests per case")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--deep-pages", type=int, default=40, help="pages walked for the deep case")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--name", default="", help="output name (default: console-<tickets>)")
    return p.parse_args(argv)


class Console:
    """One signed-in browser session per agent, requesting pages as the console does."""

    def __init__(self, agent: Any) -> None:
        from django.test import Client

        self.client = Client()
        self.client.force_login(agent.user)

    def get(self, path: str, params: dict[str, str] | None = None, **headers: str) -> Any:
        response = self.client.get(path, params or {}, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} {params} -> {response.status_code}")
        return response


def next_cursor(html: str) -> str:
    from urllib.parse import unquote

    found = CURSOR.search(html)
    if not found:
        return ""
    return unquote(found.group(1) or found.group(2))


def pages(console: Console, agent_key: str, args: argparse.Namespace) -> dict[str, Any]:
    from api import SEARCH_TERMS
    from measure import measure

    from madoguchi.tickets.queries import VIEWS

    reps, warm = args.reps, args.warmup
    out: dict[str, Any] = {}
    cases: list[tuple[str, dict[str, str], dict[str, str]]] = []
    for view in VIEWS:
        cases.append((f"inbox.{view}", {"view": view}, {}))
    for order in ("oldest", "priority"):
        cases.append((f"inbox.unsolved.order-{order}", {"view": "unsolved", "order": order}, {}))
    cases.append(
        (
            "inbox.unsolved.fragment",
            {"view": "unsolved"},
            {"HX-Request": "true", "HX-Target": "inbox-results"},
        )
    )
    for lang, term in SEARCH_TERMS.items():
        cases.append((f"inbox.search.{lang}", {"view": "", "q": term}, {}))
    for key, params, headers in cases:
        try:
            console.get("/", params, **headers)
        except RuntimeError as exc:  # e.g. a sort this build does not offer
            log(f"{key}.{agent_key}: skipped ({exc})")
            continue
        name = f"{key}.{agent_key}"
        out[name] = measure(
            lambda i, p=params, h=headers: console.get("/", p, **h), reps=reps, warmup=warm
        )
        log(f"{name}: p95 {out[name]['p95_ms']} ms, {out[name]['queries']} queries")
    # A deep page: walk the unsolved view by its "next" links.
    params = {"view": "unsolved"}
    cursor, depth = "", 0
    for _ in range(args.deep_pages):
        found = next_cursor(
            console.get("/", {**params, "cursor": cursor} if cursor else params).text
        )
        if not found:
            break
        cursor, depth = found, depth + 1
    if cursor:
        name = f"inbox.unsolved.deep.{agent_key}"
        deep = {**params, "cursor": cursor}
        out[name] = measure(lambda i: console.get("/", deep), reps=reps, warmup=warm)
        out[name]["pages_before"] = depth
        log(f"{name} (page {depth + 1}): p95 {out[name]['p95_ms']} ms")
    return out


def ticket_pages(console: Console, agent: Any, agent_key: str, args: argparse.Namespace) -> Any:
    from measure import measure

    from madoguchi.tickets.access import visible_tickets

    rng = random.Random(args.seed)
    n = args.reps + args.warmup
    top = visible_tickets(agent).order_by("-pk").values_list("pk", flat=True).first() or 1
    if agent.role == "outsourced":
        ids = list(visible_tickets(agent).order_by("?").values_list("pk", flat=True)[:n])
    else:
        ids = []
        while len(ids) < n:
            candidate = rng.randint(1, top)
            if visible_tickets(agent).filter(pk=candidate, merged_into__isnull=True).exists():
                ids.append(candidate)
    if not ids:
        return {}
    name = f"ticket_page.{agent_key}"
    result = measure(lambda i: console.get(f"/tickets/{ids[i % len(ids)]}/"), reps=args.reps,
                     warmup=args.warmup)  # fmt: skip
    log(f"{name}: p95 {result['p95_ms']} ms, {result['queries']} queries")
    return {name: result}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    require_postgres()
    from api import bench_agents
    from machine import machine_info, table_sizes, write_result

    agents = bench_agents()
    sizes = table_sizes()
    result: dict[str, Any] = {
        "benchmark": "console",
        "machine": machine_info(),
        "sizes": sizes,
        "params": vars(args),
        "agents": {k: {"id": a.pk, "role": a.role} for k, a in agents.items()},
        "pages": {},
    }
    for key, agent in agents.items():
        console = Console(agent)
        result["pages"].update(pages(console, key, args))
        result["pages"].update(ticket_pages(console, agent, key, args))
    write_result(args.name or f"console-{sizes['tickets_ticket']}", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
