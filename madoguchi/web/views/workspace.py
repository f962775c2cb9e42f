"""The ticket workspace's helpers: neighbours in the inbox list the agent came from, `@`
mentions (autocomplete and highlighting) and what the reply box knows about the channel."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent
from madoguchi.connectors.base import ReplyRoute
from madoguchi.core.errors import DomainError
from madoguchi.customers.models import Identity
from madoguchi.tickets.mentions import matching_agents, mention_spans, name_keys
from madoguchi.tickets.models import Message, Ticket
from madoguchi.tickets.queries import ORDER_BY, TicketFilter, filtered_tickets, rows_after
from madoguchi.tickets.reply_limits import reply_limit

from .base import console_view
from .inbox import DEFAULT_VIEW
from .inbox import filter_form as inbox_filter_form
from .inbox import ticket_filter as inbox_ticket_filter

MAX_FROM = 1000


# ---- next / previous ticket of the inbox list --------------------------------------------


def inbox_querystring(request: HttpRequest) -> str:
    """The inbox list this ticket was opened from: `?from=<querystring>`, else the Referer
    when it is our own inbox page; "" means the inbox's default view."""
    given = request.POST.get("from") if request.method == "POST" else request.GET.get("from")
    if given is not None:
        return given[:MAX_FROM]
    referer = request.headers.get("Referer", "")
    if referer:
        parts = urlsplit(referer)
        same_host = not parts.netloc or parts.netloc == request.get_host()
        if same_host and parts.path == reverse("web:inbox"):
            return parts.query[:MAX_FROM]
    return ""


def _filter_of(agent: Agent, querystring: str) -> tuple[TicketFilter, str] | None:
    """The inbox's filter for a querystring, read by the inbox's own form; None if invalid."""
    data = QueryDict(querystring, mutable=True)
    data.pop("cursor", None)
    if set(data) <= {"view"}:
        return TicketFilter(view=str(data.get("view", DEFAULT_VIEW))), "newest"
    form = inbox_filter_form(data, agent)
    if not form.is_valid():
        return None
    return inbox_ticket_filter(agent, form.cleaned_data), form.cleaned_data.get("order") or "newest"


@dataclass
class Neighbours:
    querystring: str
    previous: Ticket | None = None
    next: Ticket | None = None

    def url(self, ticket: Ticket | None) -> str:
        if ticket is None:
            return ""
        base = reverse("web:ticket", args=[ticket.pk])
        return f"{base}?{urlencode({'from': self.querystring})}" if self.querystring else base

    @property
    def previous_url(self) -> str:
        return self.url(self.previous)

    @property
    def next_url(self) -> str:
        return self.url(self.next)

    @property
    def inbox_url(self) -> str:
        base = reverse("web:inbox")
        return f"{base}?{self.querystring}" if self.querystring else base


def neighbours(agent: Agent, ticket: Ticket, querystring: str) -> Neighbours:
    """The tickets above and below this one in that list: two keyset queries on the same
    (updated_at, id) order the inbox uses, so it stays fast at any list length."""
    found = Neighbours(querystring)
    try:
        parsed = _filter_of(agent, querystring)
        if parsed is None:
            return found
        flt, order = parsed
        qs = filtered_tickets(agent, flt).exclude(pk=ticket.pk).only("pk", "number", "subject")
    except DomainError:
        return found
    # Row comparisons on (updated_at, id), the inbox's own keyset: PostgreSQL uses them as
    # index bounds (an OR of column comparisons walked ~15 ms at 1M tickets).
    key = (ticket.updated_at, ticket.pk)
    forward, backward = ("oldest", "newest") if order == "oldest" else ("newest", "oldest")
    found.next = rows_after(qs, forward, key).order_by(*ORDER_BY[forward]).first()
    found.previous = rows_after(qs, backward, key).order_by(*ORDER_BY[backward]).first()
    return found


# ---- @mentions -------------------------------------------------------------------------


@require_GET
@console_view
def mention_agents(request: HttpRequest, agent: Agent) -> HttpResponse:
    """Active agents matching what follows `@` in the note box (JSON for workspace.js)."""
    prefix = request.GET.get("q", "")[:60]
    return JsonResponse(
        {
            "agents": [
                {"id": a.pk, "name": a.display_name, "username": a.user.username}
                for a in matching_agents(prefix)
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )


def highlight_mentions(messages: list[Message]) -> None:
    """Give notes that name agents a `mention_html`: their HTML with each `@name` marked.

    One query for all the named agents of the page, whatever the number of notes.
    """
    notes = [m for m in messages if m.is_internal and m.meta.get("mentions")]
    ids = {i for m in notes for i in m.meta["mentions"] if isinstance(i, int)}
    if not ids:
        return
    keys = name_keys(Agent.objects.filter(pk__in=ids).select_related("user"))
    for m in notes:
        written = {
            html.escape(m.body_text[s.start : s.end]) for s in mention_spans(m.body_text, keys)
        }
        if not written:
            continue
        # One pass, longest first: `@佐藤 花子` is marked whole, never inside `@佐藤`.
        pattern = re.compile("|".join(re.escape(w) for w in sorted(written, key=len, reverse=True)))
        m.mention_html = pattern.sub(  # type: ignore[attr-defined]
            lambda found: f'<span class="mention">{found.group(0)}</span>', m.body_html
        )


# ---- the reply box ---------------------------------------------------------------------


def reply_box(
    ticket: Ticket, route: ReplyRoute | None, identities: list[Identity]
) -> dict[str, Any]:
    """What the reply box shows for this channel: mail headers, or a character limit."""
    mail = route is not None and route.transport == "email"
    subject = ticket.subject or ""
    if subject and not subject.lower().startswith(("re:", "re：")):
        subject = f"Re: {subject}"
    return {
        "mail_reply": mail,
        "customer_emails": [i.handle for i in identities if i.kind == "email"] if mail else [],
        "default_to": route.to if route else "",
        "default_subject": subject if mail else "",
        "reply_limit": None if mail else reply_limit(ticket.channel),
    }
