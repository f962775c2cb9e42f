"""Fill PostgreSQL with a year of a busy shop's support history, at COPY speed.

    DATABASE_URL=postgres://… python bench/generate.py --tickets 1000000

Customers (with e-mail and phone identities), tickets, ~3 messages per ticket, tags,
timeline rows and the search documents (real Sudachi tokens) go in with COPY. By default
the secondary indexes are dropped before loading and recreated afterwards from their own
definitions (checked to be identical); `--index-mode during` loads with them in place.
Prints a JSON report and keeps it in bench/out/generate-<tickets>.json.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgload import (
    Table,
    connect,
    create_indexes,
    drop_indexes,
    require_postgres,
    reset_sequences,
    secondary_indexes,
    setup_django,
)

LOADED_TABLES = [
    "customers_customer",
    "customers_identity",
    "tickets_ticket",
    "tickets_message",
    "tickets_ticket_tags",
    "tickets_timelineevent",
    "search_searchdocument",
]
DAY = 86400.0
# Tickets arrive mostly in Japanese daytime (weights per hour, JST).
HOUR_WEIGHT = [0.1] * 7 + [0.35, 0.35] + [1.0] * 13 + [0.35, 0.35]
REGULARS_SHARE = 0.3  # of tickets come from the 5% most loyal customers

_STATE: dict[str, Any] = {}


def log(message: str) -> None:
    print(f"[generate {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tickets", type=int, default=1_000_000)
    p.add_argument("--customers", type=int, default=0, help="default: tickets / 5, at least 1,000")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=2, help="processes generating tickets")
    p.add_argument("--chunk", type=int, default=10_000, help="tickets per COPY batch")
    p.add_argument("--index-mode", choices=["after", "during"], default="after")
    p.add_argument("--truncate", action="store_true", help="empty the loaded tables first")
    p.add_argument("--verify", type=int, default=200, help="sampled tickets/customers to reindex")
    args = p.parse_args(argv)
    args.customers = args.customers or max(1000, args.tickets // 5)
    return args


def customer_extras(index: int) -> list[str]:
    """The phone search forms of a customer, as reindex_customer/handle_terms make them."""
    from django.conf import settings

    from madoguchi.lib.handles import phone_search_forms

    p = _STATE["people"][index]
    return phone_search_forms(p.phone_e164, settings.PHONE_DEFAULT_REGION) if p.phone_e164 else []


def load_customers(args: argparse.Namespace, now: datetime) -> dict[str, int]:
    from conversation import LineTokens
    from people import person

    from madoguchi.customers.models import Customer, Identity
    from madoguchi.search.index import document_tokens
    from madoguchi.search.models import DocumentKind, SearchDocument

    people = [person(args.seed, i) for i in range(args.customers)]
    _STATE["people"] = people
    _STATE["forms"] = [customer_extras(i) for i in range(args.customers)]
    tok = LineTokens()
    rng = random.Random(args.seed)
    customers, identities, docs = (
        Table(Customer, with_id=True),
        Table(Identity),
        Table(SearchDocument),
    )
    c_rows, i_rows, d_rows = [], [], []
    for i, p in enumerate(people):
        cid = i + 1
        at = now - timedelta(days=365 + rng.random() * 730)
        c_rows.append(
            customers.row(
                {
                    "id": cid,
                    "name": p.name,
                    "name_kana": p.name_kana,
                    "language": p.language,
                    "preferred_channel": "email" if p.email else "phone",
                    "postal_code": p.postal_code,
                    "address": p.address,
                    "tags": ["VIP"] if p.vip else [],
                    "custom_fields": {},
                    "merged_into_id": None,
                    "created_at": at,
                    "updated_at": at,
                    "notes": "",
                }
            )
        )
        if p.email:
            i_rows.append(
                identities.row(
                    {
                        "customer_id": cid,
                        "kind": "email",
                        "handle": p.email,
                        "display": p.email,
                        "is_primary": True,
                        "created_at": at,
                    }
                )
            )
        if p.phone_e164:
            i_rows.append(
                identities.row(
                    {
                        "customer_id": cid,
                        "kind": "phone",
                        "handle": p.phone_e164,
                        "display": p.phone_display,
                        "is_primary": True,
                        "created_at": at,
                    }
                )
            )
        parts = [tok.line(p.name), tok.line(p.name_kana), tok.line(p.email, remember=False)]
        parts.append(document_tokens([], _STATE["forms"][i]))
        tokens = " ".join(x for x in parts if x)
        d_rows.append(
            docs.row({"kind": int(DocumentKind.CUSTOMER), "object_id": cid, "tokens": tokens})
        )
    conn = connect()
    counts = {
        "customers_customer": customers.copy(conn, c_rows),
        "customers_identity": identities.copy(conn, i_rows),
        "search_searchdocument": docs.copy(conn, d_rows),
    }
    conn.close()
    return counts


def ticket_times(rng: random.Random, start: float, span: float, count: int) -> list[float]:
    """`count` arrival times (epoch seconds) in [start, start+span), heavier in JST daytime."""
    out: list[float] = []
    while len(out) < count:
        t = start + rng.random() * span
        if rng.random() < HOUR_WEIGHT[int((t / 3600 + 9) % 24)]:
            out.append(t)
    return sorted(out)


def load_chunk(k: int) -> dict[str, int]:
    """Generate and COPY chunk `k` of the tickets (runs in a worker process)."""
    from conversation import LineTokens, TicketBuilder, merged_into

    from madoguchi.search.index import document_tokens
    from madoguchi.search.models import DocumentKind, SearchDocument
    from madoguchi.tickets.models import Message, Ticket, TimelineEvent

    st = _STATE
    size, chunk, seed = st["sizes"][k], st["chunk"], st["seed"]
    rng = random.Random(seed * 7919 + k)
    tok = st.setdefault("tok", LineTokens())
    builder = TicketBuilder(st["desk"], st["agent_names"], st["now"], tok)
    span = 365 * DAY / len(st["sizes"])
    times = ticket_times(rng, st["start"] + k * span, span, size)
    people, forms, n_cust = st["people"], st["forms"], len(st["people"])
    regulars = max(1, n_cust // 20)
    built, owners = [], []
    for j, t in enumerate(times):
        tid = k * chunk + j + 1
        ci = rng.randrange(regulars) if rng.random() < REGULARS_SHARE else rng.randrange(n_cust)
        created = datetime.fromtimestamp(t, tz=st["now"].tzinfo)
        extras = document_tokens([], [str(10000 + tid), *forms[ci]])
        b = builder.build(rng, tid, 10000 + tid, created, ci + 1, people[ci], extras)
        if (
            j > 20
            and rng.random() < 0.002
            and b.ticket["status"] == "closed"
            and not b.ticket["is_spam"]
        ):
            target_j = j - rng.randint(1, 20)
            target, ti = built[target_j], owners[target_j]
            if not target.ticket["is_spam"] and not target.ticket["merged_into_id"]:
                merged_into(b, target, tok, document_tokens([], [str(10000 + tid), *forms[ti]]))
                ci = ti
        built.append(b)
        owners.append(ci)
    tickets, messages = Table(Ticket, with_id=True), Table(Message)
    tags, timeline, docs = Table(Ticket.tags.through), Table(TimelineEvent), Table(SearchDocument)
    kind = int(DocumentKind.TICKET)
    conn = st.get("conn") or connect()
    st["conn"] = conn
    counts = {
        "tickets_ticket": tickets.copy(conn, (tickets.row(b.ticket) for b in built)),
        "tickets_message": messages.copy(
            conn, (messages.row(m) for b in built for m in b.messages)
        ),
        "tickets_ticket_tags": tags.copy(
            conn,
            (
                tags.row({"ticket_id": b.ticket["id"], "tag_id": t})
                for b in built
                for t in b.tag_ids
            ),
        ),
        "tickets_timelineevent": timeline.copy(
            conn, (timeline.row(e) for b in built for e in b.timeline)
        ),
        "search_searchdocument": docs.copy(
            conn,
            (
                docs.row({"kind": kind, "object_id": b.ticket["id"], "tokens": b.tokens})
                for b in built
            ),
        ),
    }
    counts["sudachi_calls"] = tok.calls
    return counts


def verify_sample(count: int, seed: int) -> dict[str, int]:
    """Reindex sampled tickets/customers with the real code (rolled back) and compare tokens."""
    from django.db import transaction

    from madoguchi.customers.indexing import reindex_customer
    from madoguchi.customers.models import Customer
    from madoguchi.search.models import DocumentKind, SearchDocument
    from madoguchi.tickets.indexing import reindex_ticket
    from madoguchi.tickets.models import Ticket

    rng = random.Random(seed)
    result = {"checked": 0, "mismatches": 0}
    cases = [
        (DocumentKind.TICKET, Ticket, reindex_ticket),
        (DocumentKind.CUSTOMER, Customer, reindex_customer),
    ]
    for kind, model, reindex in cases:
        top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for pk in {rng.randint(1, top) for _ in range(count)} if top else set():
            obj = model.objects.filter(pk=pk).first()
            if obj is None:
                continue
            stored = SearchDocument.objects.get(kind=kind, object_id=pk).tokens
            with transaction.atomic():
                reindex(obj)
                fresh = SearchDocument.objects.get(kind=kind, object_id=pk).tokens
                transaction.set_rollback(True)
            result["checked"] += 1
            if fresh != stored:
                result["mismatches"] += 1
                name = model.__name__
                log(f"token mismatch for {name} {pk}:\n stored {stored[:200]}\n real {fresh[:200]}")
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    require_postgres()
    from desk import build_desk
    from django.db import connection, connections
    from django.utils import timezone
    from machine import machine_info, table_sizes, write_result

    from madoguchi.customers.models import Customer, Identity
    from madoguchi.search.models import SearchDocument
    from madoguchi.tickets.models import Message, Ticket, TimelineEvent
    from madoguchi.tickets.numbers import sync_after_bulk_load

    timings: dict[str, float] = {}
    started = mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now_ = time.perf_counter()
        timings[name] = round(now_ - mark, 2)
        mark = now_
        log(f"{name}: {timings[name]} s")

    with connection.cursor() as cur:
        if args.truncate:
            cur.execute(
                f"TRUNCATE {', '.join(LOADED_TABLES)}, tickets_attachment, inboxes_outbox"
                " RESTART IDENTITY CASCADE"
            )
        for table in LOADED_TABLES:
            cur.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
            if cur.fetchone()[0]:
                sys.exit(f"{table} is not empty; use a fresh database or --truncate")
    now = timezone.now().replace(microsecond=0)
    desk, agent_display, roles = build_desk(args.seed)
    lap("reference_data")
    conn = connect()
    indexes = secondary_indexes(conn, LOADED_TABLES)
    expected = indexes
    if args.index_mode == "after":
        # PostgreSQL prints a recreated definition in its own normal form (an IN list becomes
        # '{…}'::text[]), so build them once on the empty tables to learn that form.
        drop_indexes(conn, indexes)
        create_indexes(conn, indexes)
        expected = secondary_indexes(conn, LOADED_TABLES)
        drop_indexes(conn, indexes)
    counts: dict[str, int] = {}
    index_seconds: dict[str, float] = {}
    try:
        for name, value in load_customers(args, now).items():
            counts[name] = counts.get(name, 0) + value
        lap("customers")
        n_chunks = max(1, -(-args.tickets // args.chunk))
        sizes = [args.chunk] * (n_chunks - 1) + [args.tickets - args.chunk * (n_chunks - 1)]
        _STATE.update(
            desk=desk,
            agent_names=agent_display,
            now=now,
            seed=args.seed,
            sizes=sizes,
            chunk=args.chunk,
            start=(now - timedelta(days=365)).timestamp(),
        )
        connections.close_all()
        done = 0
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.workers) as pool:
            for part in pool.imap_unordered(load_chunk, range(n_chunks)):
                for name, value in part.items():
                    if name != "sudachi_calls":
                        counts[name] = counts.get(name, 0) + value
                done += part["tickets_ticket"]
                rate = done / (time.perf_counter() - mark)
                log(f"{done:,} / {args.tickets:,} tickets ({rate:,.0f}/s)")
        lap("tickets")
    finally:
        if args.index_mode == "after":
            index_seconds = create_indexes(conn, indexes)
            lap("create_indexes")
    if secondary_indexes(conn, LOADED_TABLES) != expected or set(expected) != set(indexes):
        sys.exit("index definitions differ from the migrations' after recreating them")
    reset_sequences(
        [Customer, Identity, Ticket, Message, Ticket.tags.through, TimelineEvent, SearchDocument]
    )
    sync_after_bulk_load()
    conn.execute(f"VACUUM (ANALYZE) {', '.join(LOADED_TABLES)}")
    conn.close()
    lap("vacuum_analyze")
    verification = verify_sample(args.verify, args.seed)
    lap("verify_tokens")
    result = {
        "benchmark": "generate",
        "machine": machine_info(),
        "params": {k: v for k, v in vars(args).items()},
        "rows_loaded": counts,
        "sizes": table_sizes(),
        "roles": {role: len(ids) for role, ids in roles.items()},
        "seconds": {**timings, "total": round(time.perf_counter() - started, 2)},
        "index_build_seconds": index_seconds,
        "indexes_recreated_and_checked": len(index_seconds),
        "token_check": verification,
    }
    write_result(f"generate-{args.tickets}", result)
    return 1 if verification["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
