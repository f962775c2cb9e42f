"""Ingest throughput: InboundMessages through madoguchi.inboxes.ingest.ingest, the whole door.

Half open new tickets (new senders and known customers), half are replies to existing
tickets from those tickets' customers; e-mail, form and LINE inboxes; Japanese and English
text from the same topics as the generated data. Runs in 1 process and in N processes at
once (forked, each with its own connection), and reports messages per second of wall time.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from typing import Any

from measure import percentile
from topics import JA_PRODUCTS, JA_TOPICS
from topics_en import EN_PRODUCTS, EN_TOPICS

_WORK: dict[str, Any] = {}


def _text(rng: random.Random, en: bool, first: bool) -> tuple[str, str]:
    topic = rng.choice(EN_TOPICS if en else JA_TOPICS)
    product = rng.choice(EN_PRODUCTS if en else JA_PRODUCTS)
    pool = topic.opening if first else (topic.follow_ups or topic.opening)
    lines = [rng.choice(pool)]
    if first and topic.details:
        lines.append(rng.choice(topic.details))
    lines.append("Thanks," if en else "よろしくお願いいたします。")
    body = "\n".join(
        line.replace("{product}", product).replace("{date}", "3月3日") for line in lines
    )
    return topic.subjects[0].replace("{product}", product), body


def plan(count: int, seed: int, run: str) -> list[dict[str, Any]]:
    """The deliveries to make: plain dicts, so they can be handed to worker processes."""
    from madoguchi.customers.models import Identity
    from madoguchi.inboxes.models import Inbox
    from madoguchi.tickets.models import Ticket

    rng = random.Random(seed)
    inboxes = {i.kind: i.pk for i in Inbox.objects.filter(slug__startswith="bench-madoguchi-")}
    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    open_ = Ticket.objects.filter(merged_into__isnull=True).exclude(status="closed")
    sample = [rng.randint(1, top) for _ in range(count * 4)]
    tickets = list(open_.filter(pk__in=sample).values_list("pk", "customer_id", "channel"))
    # Closed tickets dominate a year of history; top up with the most recent unsolved ones.
    if len(tickets) < count // 2:
        tickets += list(
            open_.exclude(pk__in=sample)
            .order_by("-updated_at")
            .values_list("pk", "customer_id", "channel")[: count // 2 - len(tickets)]
        )
    emails = dict(
        Identity.objects.filter(
            kind="email", customer_id__in={c for _, c, _ in tickets}
        ).values_list("customer_id", "handle")
    )
    replies = [(pk, emails[c], ch) for pk, c, ch in tickets if c in emails][: count // 2]
    known = list(
        Identity.objects.filter(kind="email").order_by("?").values_list("handle", flat=True)[:500]
    )
    new_senders = [f"ingest-{run}-{n}@example.jp" for n in range(max(1, count // 8))]
    items = []
    for n in range(count):
        en = rng.random() < 0.12
        if n % 2 == 0 or not replies:
            kind = rng.choice(["email", "email", "form", "line"])
            if kind == "line":
                sender = {"kind": "line", "value": f"U{run}{rng.randrange(count // 8 + 1):08x}"}
            else:
                handle = rng.choice(known) if rng.random() < 0.5 else rng.choice(new_senders)
                sender = {"kind": "email", "value": handle}
            subject, body = _text(rng, en, True)
            items.append(
                {
                    "inbox": inboxes[kind],
                    "sender": sender,
                    "subject": subject,
                    "body": body,
                    "ticket_id": None,
                    "kind": "new",
                }
            )
        else:
            ticket_id, email, channel = replies[(n // 2) % len(replies)]
            subject, body = _text(rng, en, False)
            inbox = inboxes.get(channel if channel in ("email", "form") else "email")
            items.append(
                {
                    "inbox": inbox,
                    "sender": {"kind": "email", "value": email},
                    "subject": f"Re: {subject}",
                    "body": body,
                    "ticket_id": ticket_id,
                    "kind": "reply",
                }
            )
    for n, item in enumerate(items):
        item["external_id"] = f"bench-ingest-{run}-{n}"
    return items


def _deliver(items: list[dict[str, Any]]) -> list[tuple[str, float, bool]]:
    from madoguchi.inboxes.ingest import ingest
    from madoguchi.inboxes.messages import InboundMessage, SenderHandle

    out = []
    for item in items:
        inbound = InboundMessage(
            inbox_id=item["inbox"],
            external_id=item["external_id"],
            sender=SenderHandle(item["sender"]["kind"], item["sender"]["value"]),
            subject=item["subject"],
            body_text=item["body"],
            ticket_id=item["ticket_id"],
        )
        started = time.perf_counter()
        result = ingest(inbound)
        out.append((item["kind"], (time.perf_counter() - started) * 1000, result.created_ticket))
    return out


def _worker(index: int) -> list[tuple[str, float, bool]]:
    return _deliver(_WORK["slices"][index])


def run(items: list[dict[str, Any]], processes: int) -> dict[str, Any]:
    """Deliver `items` with `processes` processes; throughput over the wall time of all."""
    from django.db import connections

    started = time.perf_counter()
    if processes <= 1:
        results = _deliver(items)
    else:
        _WORK["slices"] = [items[i::processes] for i in range(processes)]
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = [r for part in pool.map(_worker, range(processes)) for r in part]
    wall = time.perf_counter() - started
    out: dict[str, Any] = {
        "processes": processes,
        "messages": len(results),
        "seconds": round(wall, 2),
        "messages_per_second": round(len(results) / wall, 1),
        "new_tickets": sum(1 for _, _, created in results if created),
    }
    for kind in ("new", "reply"):
        times = sorted(ms for k, ms, _ in results if k == kind)
        out[f"{kind}_p50_ms"] = round(percentile(times, 50), 2)
        out[f"{kind}_p95_ms"] = round(percentile(times, 95), 2)
        out[f"{kind}_max_ms"] = round(times[-1], 2) if times else 0.0
    return out
