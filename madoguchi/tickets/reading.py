"""Who has read which ticket: the inbox shows a ticket bold until its agent opens it again."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from madoguchi.accounts.models import Agent

from .models import Ticket, TicketRead


def do_mark_read(agent: Agent, ticket: Ticket) -> None:
    """Record that the agent has seen the ticket now: one upsert, no read-before-write.

    Called on every GET of a ticket page, so it must stay a single statement.
    """
    TicketRead.objects.bulk_create(
        [TicketRead(agent=agent, ticket=ticket, read_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["agent", "ticket"],
        update_fields=["read_at"],
    )


def unread_ids(agent: Agent, tickets: Iterable[Ticket]) -> set[int]:
    """Ids of the tickets with a customer message newer than the agent's last look.

    One query for a whole page, whatever its length; a ticket nobody on the customer side
    wrote to (last_customer_message_at empty) is never unread.
    """
    waiting = {t.pk: t.last_customer_message_at for t in tickets if t.last_customer_message_at}
    if not waiting:
        return set()
    read = dict(
        TicketRead.objects.filter(agent=agent, ticket_id__in=list(waiting)).values_list(
            "ticket_id", "read_at"
        )
    )
    return {pk for pk, last in waiting.items() if pk not in read or read[pk] < last}
