"""Keeping the ticket search document current (subject, number, messages, customer handles)."""

from __future__ import annotations

from madoguchi.search.index import index
from madoguchi.search.models import DocumentKind

from .models import Ticket

# A ticket's document holds at most this much message text; enough for any real thread.
MAX_INDEXED_CHARS = 60_000


def reindex_ticket(ticket: Ticket) -> None:
    parts = [ticket.subject]
    size = len(ticket.subject)
    for body in ticket.messages.order_by("-created_at", "-id").values_list("body_text", flat=True):
        if size > MAX_INDEXED_CHARS:
            break
        parts.append(body)
        size += len(body)
    extra = [str(ticket.number)]
    from madoguchi.customers.indexing import handle_terms

    extra.extend(handle_terms(ticket.customer_id))
    index(DocumentKind.TICKET, ticket.pk, parts, extra)
