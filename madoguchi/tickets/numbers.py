"""Human ticket numbers (#10001 …): a sequence on PostgreSQL, a locked counter row on SQLite."""

from __future__ import annotations

from django.db import connection

from .models import TicketNumber

SEQUENCE = "tickets_ticket_number_seq"


def allocate_number() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT nextval('{SEQUENCE}')")
            return int(cur.fetchone()[0])
    # SQLite serialises writers (IMMEDIATE transactions), so read-increment-write is safe.
    counter, _ = TicketNumber.objects.select_for_update().get_or_create(pk=1)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def sync_after_bulk_load() -> None:
    """After COPY/bulk inserts, move the allocator past the highest number in use."""
    from django.db.models import Max

    from .models import Ticket

    highest = Ticket.objects.aggregate(m=Max("number"))["m"] or 10000
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT setval('{SEQUENCE}', %s)", [highest])
        return
    TicketNumber.objects.update_or_create(pk=1, defaults={"last": highest})
