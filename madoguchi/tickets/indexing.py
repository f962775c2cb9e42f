"""Keeping the ticket search document current (subject, number, messages, customer handles)."""

from __future__ import annotations

from madoguchi.search.index import append, index
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


def index_new_message(ticket: Ticket, body_text: str, *, new_ticket: bool) -> None:
    """The search side of one new message: a new ticket gets its whole document (subject,
    body, number, the customer's phone forms); a reply only appends its own tokens."""
    if not new_ticket and append(DocumentKind.TICKET, ticket.pk, [body_text]):
        return
    if new_ticket:
        from madoguchi.customers.indexing import handle_terms

        extra = [str(ticket.number), *handle_terms(ticket.customer_id)]
        index(DocumentKind.TICKET, ticket.pk, [ticket.subject, body_text], extra)
        return
    reindex_ticket(ticket)
