"""Server time of the reads the console and the API make, and ingest throughput.

    DATABASE_URL=postgres://… python bench/api.py

Needs a database filled by bench/generate.py. Reads go through the HTTP API in-process
(see readers.py) when the endpoints answer, else through madoguchi.tickets.queries, and
the report says which. Each case: warm-up, then --reps timed calls; p50/p95/p99/max in ms,
with the SQL time of the same calls beside it. Prints JSON, keeps bench/out/<name>.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgload import require_postgres, setup_django

# A common Japanese word (~15% of tickets), an English one (~4%, matched with its katakana
# reading too) and a middle-frequency one (~0.6%, only in the product 南部鉄器 急須): the
# newest-first search walk is cheapest for common words and dearest for the middle ones.
SEARCH_TERMS = {"ja": "返品", "en": "refund", "ja_mid": "南部"}


def log(message: str) -> None:
    print(f"[api {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=200, help="timed calls per case")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--deep-pages", type=int, default=100, help="pages walked for the deep cursor")
    p.add_argument("--ingest", type=int, default=2000, help="messages per ingest run (0: skip)")
    p.add_argument("--ingest-processes", type=int, default=2)
    p.add_argument("--reader", choices=["auto", "http", "queries"], default="auto")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--name", default="", help="output name (default: api-<tickets>)")
    return p.parse_args(argv)


def bench_agents() -> dict[str, Any]:
    """The agent (role agent, in a team) and the outsourced agent the reads are made as."""
    from django.db.models import Count

    from madoguchi.accounts.models import Agent

    base = Agent.objects.select_related("user").filter(user__username__startswith="bench-")
    agent = (
        base.filter(role="agent")
        .annotate(n=Count("teams"))
        .filter(n__gte=1)
        .order_by("-n", "pk")
        .first()
    )
    outsourced = base.filter(role="outsourced").order_by("pk").first()
    if agent is None or outsourced is None:
        sys.exit("No benchmark agents found: run bench/generate.py on this database first")
    return {"agent": agent, "outsourced": outsourced}


def reads(reader: Any, agents: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from measure import measure

    from madoguchi.customers.models import Customer
    from madoguchi.tickets.access import visible_tickets
    from madoguchi.tickets.models import Ticket
    from madoguchi.tickets.queries import VIEWS

    rng = random.Random(args.seed)
    reps, warm = args.reps, args.warmup
    out: dict[str, Any] = {}

    for who, agent in agents.items():
        for view in VIEWS:
            first = reader.list(agent, view=view)
            cursor, depth = reader.next_cursor(first), reader.count(first)
            deep_cursor, deep_depth = "", 0
            for _ in range(args.deep_pages):
                if not cursor:
                    break
                deep_cursor, deep_depth = cursor, depth
                page = reader.list(agent, view=view, cursor=cursor)
                cursor, depth = reader.next_cursor(page), depth + reader.count(page)
            key = f"list.{view}.{who}"
            out[key] = measure(
                lambda i, a=agent, v=view: reader.list(a, view=v), reps=reps, warmup=warm
            )
            log(f"{key}: p95 {out[key]['p95_ms']} ms")
            if deep_cursor:
                out[f"{key}.deep"] = measure(
                    lambda i, a=agent, v=view, c=deep_cursor: reader.list(a, view=v, cursor=c),
                    reps=reps,
                    warmup=warm,
                )
                out[f"{key}.deep"]["rows_before_page"] = deep_depth
                log(f"{key}.deep (after {deep_depth} rows): p95 {out[f'{key}.deep']['p95_ms']} ms")

    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    ids = [rng.randint(1, top) for _ in range(reps + warm)]
    out["ticket_detail.agent"] = measure(
        lambda i: reader.detail(agents["agent"], ids[i]), reps=reps, warmup=warm
    )
    log(f"ticket_detail.agent: p95 {out['ticket_detail.agent']['p95_ms']} ms")
    scoped = list(
        visible_tickets(agents["outsourced"])
        .order_by("?")
        .values_list("pk", flat=True)[: reps + warm]
    )
    if scoped:
        out["ticket_detail.outsourced"] = measure(
            lambda i: reader.detail(agents["outsourced"], scoped[i % len(scoped)]),
            reps=reps,
            warmup=warm,
        )
        log(f"ticket_detail.outsourced: p95 {out['ticket_detail.outsourced']['p95_ms']} ms")

    top_c = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    cids = [rng.randint(1, top_c) for _ in range(reps + warm)]
    out["customer_detail.agent"] = measure(
        lambda i: reader.customer(agents["agent"], cids[i]), reps=reps, warmup=warm
    )
    log(f"customer_detail.agent: p95 {out['customer_detail.agent']['p95_ms']} ms")
    scoped_c = list(
        visible_tickets(agents["outsourced"])
        .order_by("?")
        .values_list("customer_id", flat=True)[: reps + warm]
    )
    if scoped_c:
        out["customer_detail.outsourced"] = measure(
            lambda i: reader.customer(agents["outsourced"], scoped_c[i % len(scoped_c)]),
            reps=reps,
            warmup=warm,
        )
        log(f"customer_detail.outsourced: p95 {out['customer_detail.outsourced']['p95_ms']} ms")

    for lang, term in SEARCH_TERMS.items():
        for who, agent in agents.items():
            key = f"search.{lang}.{who}"
            out[key] = measure(
                lambda i, a=agent, t=term: reader.list(a, q=t), reps=reps, warmup=warm
            )
            out[key]["term"] = term
            out[key]["rows_on_page"] = reader.count(reader.list(agent, q=term))
            log(f"{key} ({term}): p95 {out[key]['p95_ms']} ms")
    return out


def query_level(agents: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Parts measured on their own: the per-view counts and the search candidate lookup."""
    from measure import measure

    from madoguchi.search.index import match
    from madoguchi.search.models import DocumentKind
    from madoguchi.tickets.queries import view_counts

    out: dict[str, Any] = {}
    reps, warm = max(10, args.reps // 4), max(2, args.warmup // 4)
    for who, agent in agents.items():
        out[f"view_counts.{who}"] = measure(
            lambda i, a=agent: view_counts(a), reps=reps, warmup=warm
        )
        out[f"view_counts.{who}"]["counts"] = view_counts(agent)
        log(f"view_counts.{who}: p95 {out[f'view_counts.{who}']['p95_ms']} ms")
    for lang, term in SEARCH_TERMS.items():
        key = f"search_match.{lang}"
        out[key] = measure(
            lambda i, t=term: match(DocumentKind.TICKET, t, limit=2000), reps=reps, warmup=warm
        )
        out[key]["candidates"] = len(match(DocumentKind.TICKET, term, limit=2000))
        log(f"{key}: p95 {out[key]['p95_ms']} ms")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    require_postgres()
    import ingest_load
    from machine import machine_info, table_sizes, write_result
    from readers import HttpReader, QueryReader

    from madoguchi.accounts.tokens import do_create_token, do_revoke_token

    agents = bench_agents()
    tokens = {a.pk: do_create_token(None, a, "bench") for a in agents.values()}
    raw = {pk: pair[1] for pk, pair in tokens.items()}
    try:
        available = HttpReader.available(agents["agent"], raw[agents["agent"].pk])
        use_http = args.reader == "http" or (args.reader == "auto" and all(available.values()))
        reader: Any = HttpReader(raw) if use_http else QueryReader()
        log(f"endpoints answering: {available}; measuring through {reader.kind}")
        sizes = table_sizes()
        result: dict[str, Any] = {
            "benchmark": "api",
            "machine": machine_info(),
            "sizes": sizes,
            "params": vars(args),
            "reader": reader.kind,
            "endpoints_available": available,
            "agents": {k: {"id": a.pk, "role": a.role} for k, a in agents.items()},
            "reads": reads(reader, agents, args),
            "parts": query_level(agents, args),
        }
        if args.ingest:
            run = time.strftime("%Y%m%d%H%M%S")
            runs = 2 if args.ingest_processes > 1 else 1
            items = ingest_load.plan(args.ingest * runs, args.seed, run)
            result["ingest"] = [ingest_load.run(items[: args.ingest], 1)]
            log(f"ingest, 1 process: {result['ingest'][0]['messages_per_second']} messages/s")
            if args.ingest_processes > 1:
                result["ingest"].append(
                    ingest_load.run(items[args.ingest :], args.ingest_processes)
                )
                log(
                    f"ingest, {args.ingest_processes} processes: "
                    f"{result['ingest'][1]['messages_per_second']} messages/s"
                )
    finally:
        for agent in agents.values():
            do_revoke_token(agent, tokens[agent.pk][0].pk)
    write_result(args.name or f"api-{sizes['tickets_ticket']}", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
