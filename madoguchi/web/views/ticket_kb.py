"""Help-center articles on the ticket page: search from the reply box, suggested articles
for the customer's question, and what "Insert text" / "Insert link" put into the reply.

Every agent who sees the ticket may use them, for the ticket's brand only; outsourced
agents only for brands they work (knowledge.reply_box.require_brand_access). Searches are
logged as the agent's (SearchSource.AGENT, one row per as-you-type session); an insert is
that search's click. The reply view records what was used (knowledge.learning).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import DomainError, NotFound, ValidationFailed
from madoguchi.knowledge.confidence import answers
from madoguchi.knowledge.hits import ArticleHit
from madoguchi.knowledge.models import SearchSource
from madoguchi.knowledge.reply_box import (
    get_usable_article,
    insertion,
    require_brand_access,
    suggest,
    ticket_language,
    usable_articles,
)
from madoguchi.knowledge.search import MAX_QUERY, search_articles
from madoguchi.knowledge.search_log import record_click
from madoguchi.knowledge.search_tracking import track_search
from madoguchi.tickets.access import visible_tickets
from madoguchi.tickets.models import Ticket

from .base import console_view

SEARCH_LIMIT = 8


@dataclass(frozen=True)
class Row:
    id: int
    title: str
    snippet: str
    language: str
    internal: bool


def _ticket(agent: Agent, ticket_id: int) -> Ticket:
    ticket = visible_tickets(agent).select_related("brand", "customer").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("Ticket not found."), code="ticket_not_found")
    require_brand_access(agent, ticket)
    return ticket


def _rows(agent: Agent, ticket: Ticket, hits: list[ArticleHit]) -> list[Row]:
    """Hits the agent may use, best first (re-checked: never a draft or another brand's)."""
    internal = dict(
        usable_articles(agent, ticket)
        .filter(pk__in=[h.article_id for h in hits])
        .values_list("pk", "internal")
    )
    return [
        Row(h.article_id, h.title, h.snippet, h.language, internal[h.article_id])
        for h in hits
        if h.article_id in internal
    ]


@require_GET
@console_view
def search(request: HttpRequest, agent: Agent, ticket_id: int) -> HttpResponse:
    """Results for the reply box's search field (an HTML fragment for kb-reply.js)."""
    ticket = _ticket(agent, ticket_id)
    query = request.GET.get("q", "")[:MAX_QUERY]
    rows: list[Row] = []
    log_id = None
    degraded = False
    if query.strip():
        result = search_articles(
            brand_id=ticket.brand_id,
            query=query,
            language=ticket_language(ticket),
            limit=SEARCH_LIMIT,
            include_internal=True,
        )
        rows, degraded = _rows(agent, ticket, result.hits), result.degraded
        log_id = track_search(
            brand_id=ticket.brand_id,
            source=SearchSource.AGENT,
            query=query,
            shown=[r.id for r in rows],
            language=ticket_language(ticket),
            session=request.GET.get("session", ""),
            degraded=degraded,
            answered=answers(query, result.hits[0] if result.hits else None),
        )
    return render(
        request,
        "web/ticket/_kb_results.html",
        {"ticket": ticket, "rows": rows, "query": query.strip(), "log_id": log_id,
         "degraded": degraded},
    )  # fmt: skip


@require_GET
@console_view
def suggestions(request: HttpRequest, agent: Agent, ticket_id: int) -> HttpResponse:
    """Up to three articles for the customer's question, loaded after the page; an empty
    response (nothing shown) when none is likely to answer it."""
    ticket = _ticket(agent, ticket_id)
    rows = _rows(agent, ticket, suggest(ticket))
    if not rows:
        return HttpResponse("")
    return render(request, "web/ticket/_kb_suggestions.html", {"ticket": ticket, "rows": rows})


@require_GET
@console_view
def insert(request: HttpRequest, agent: Agent, ticket_id: int, article_id: int) -> HttpResponse:
    """The text "Insert text" / "Insert link" puts into the reply, as JSON for kb-reply.js;
    errors as JSON too, with their translated message."""
    try:
        kind = request.GET.get("as", "")
        if kind not in ("text", "link"):
            raise ValidationFailed(_("Choose text or link."), code="invalid_kind")
        ticket = _ticket(agent, ticket_id)
        article = get_usable_article(agent, ticket, article_id)
        inserted = insertion(article, ticket, kind)
    except DomainError as exc:
        return JsonResponse(
            {"error": str(exc.message), "code": exc.code},
            status=exc.status,
            json_dumps_params={"ensure_ascii": False},
        )
    record_click(
        request.GET.get("log"), article.pk, brand_id=ticket.brand_id, sources=(SearchSource.AGENT,)
    )
    return JsonResponse(
        {
            "id": inserted.article_id,
            "kind": inserted.kind,
            "language": inserted.language,
            "title": inserted.title,
            "text": inserted.text,
        },
        json_dumps_params={"ensure_ascii": False},
    )
