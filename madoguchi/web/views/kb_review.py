"""The learning loop's review queue in the console: customers' questions proposed as new
言い換え of the articles that answered them; approve (optionally edited), reject, move.

Leads and admins only (the article editors). Rows update in place with htmx; every button
also works as a plain form post. The writes are madoguchi.knowledge.actions.proposals.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent, Brand
from madoguchi.core.errors import DomainError, NotFound
from madoguchi.core.ids import parse_id
from madoguchi.knowledge.actions import proposals as actions
from madoguchi.knowledge.actions.access import readable_brands, require_editor
from madoguchi.knowledge.actions.proposals import pending_count
from madoguchi.knowledge.models import (
    Article,
    ArticleTranslation,
    PhrasingProposal,
    ProposalStatus,
)
from madoguchi.tickets.access import visible_tickets

from .base import console_view, is_htmx, safe_next
from .knowledge import current_brand, pick_title, ui_language

PAGE = 50
MOVE_CANDIDATES = 10

__all__ = ["pending_count"]  # the navigation's badge (re-exported for the console layout)


def _queue_url(brand_id: int, status: str = ProposalStatus.PENDING) -> str:
    return reverse("web:kb_proposals") + f"?brand={brand_id}&status={status}"


def _with_titles(qs: QuerySet[PhrasingProposal]) -> QuerySet[PhrasingProposal]:
    return qs.select_related("article", "proposed_by", "decided_by", "ticket").prefetch_related(
        Prefetch(
            "article__translations",
            queryset=ArticleTranslation.objects.only(
                "id", "article_id", "language", "title", "phrasings"
            ),
        )
    )


def _rows(agent: Agent, proposals: list[PhrasingProposal]) -> list[dict[str, Any]]:
    """What one table row shows: the article's title in the question's language, and the
    ticket only when the viewer may open it."""
    ticket_ids = {p.ticket_id for p in proposals if p.ticket_id}
    visible = set(
        visible_tickets(agent).filter(pk__in=ticket_ids).values_list("pk", flat=True)
        if ticket_ids
        else []
    )
    language = ui_language()
    rows = []
    for proposal in proposals:
        translations = list(proposal.article.translations.all())
        own = next((t for t in translations if t.language == proposal.language), None)
        shown = own or pick_title(proposal.article, language)
        rows.append(
            {
                "p": proposal,
                "title": shown.title if shown else f"#{proposal.article_id}",
                "has_language": own is not None,
                "ticket_visible": proposal.ticket_id in visible,
            }
        )
    return rows


def _status(request: HttpRequest) -> str:
    wanted = request.GET.get("status", "")
    return wanted if wanted in ProposalStatus.values else ProposalStatus.PENDING


@console_view
def proposal_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    require_editor(agent)
    brand = current_brand(request, agent)
    status = _status(request)
    base = actions.reviewable_proposals(agent).filter(article__brand=brand)
    counts = {value: 0 for value in ProposalStatus.values}
    for value in ProposalStatus.values:
        counts[value] = base.filter(status=value).count()
    qs = base.filter(status=status)
    after = parse_id(request.GET.get("after"))
    if after:
        qs = qs.filter(pk__lt=after)
    found = list(_with_titles(qs).order_by("-pk")[: PAGE + 1])
    more = found[PAGE - 1].pk if len(found) > PAGE else None
    context = {
        "brand": brand,
        "brands": readable_brands(agent).order_by("name", "pk"),
        "status": status,
        "statuses": [(value, label, counts[value]) for value, label in ProposalStatus.choices],
        "rows": _rows(agent, found[:PAGE]),
        "more": more,
        "next": request.get_full_path(),
        "nav_active": "kb_proposals",
    }
    return render(request, "web/knowledge/proposals.html", context)


def _proposal(agent: Agent, proposal_id: int) -> PhrasingProposal:
    proposal = _with_titles(actions.reviewable_proposals(agent)).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    return proposal


def _row_response(
    request: HttpRequest, agent: Agent, proposal_id: int, error: str = "", status: int = 200
) -> HttpResponse:
    row = _rows(agent, [_proposal(agent, proposal_id)])[0]
    context = {"row": row, "error": error, "next": safe_next(request, "")}
    return render(request, "web/knowledge/_proposal_row.html", context, status=status)


def _decided(
    request: HttpRequest, agent: Agent, proposal_id: int, done: str, call: Any
) -> HttpResponse:
    """Run one decision; htmx gets the row back (with the refusal in it), others a redirect."""
    require_editor(agent)
    proposal = _proposal(agent, proposal_id)
    if not is_htmx(request):
        call()
        messages.success(request, done)
        return HttpResponseRedirect(safe_next(request, _queue_url(proposal.article.brand_id)))
    try:
        call()
    except DomainError as exc:
        if exc.status == 404 or exc.status == 403:
            raise
        return _row_response(request, agent, proposal_id, str(exc.message), exc.status)
    return _row_response(request, agent, proposal_id)


def _edited_text(request: HttpRequest, proposal_id: int) -> str | None:
    text = request.POST.get(f"text-{proposal_id}")
    if text is None:
        text = request.POST.get("text")
    return text


@require_POST
@console_view
def proposal_approve(request: HttpRequest, agent: Agent, proposal_id: int) -> HttpResponse:
    text = _edited_text(request, proposal_id)
    return _decided(
        request,
        agent,
        proposal_id,
        _("Approved: the question is now a phrasing of the article."),
        lambda: actions.approve(agent, proposal_id, text),
    )


@require_POST
@console_view
def proposal_reject(request: HttpRequest, agent: Agent, proposal_id: int) -> HttpResponse:
    return _decided(
        request,
        agent,
        proposal_id,
        _("Rejected."),
        lambda: actions.reject(agent, proposal_id),
    )


@require_POST
@console_view
def proposal_bulk(request: HttpRequest, agent: Agent) -> HttpResponse:
    require_editor(agent)
    brand = current_brand(request, agent)
    decision = request.POST.get("decision", "")
    result = actions.bulk_decide(agent, request.POST.getlist("ids"), decision)
    if result.done:
        done = len(result.done)
        text = (
            ngettext("%(count)d question approved.", "%(count)d questions approved.", done)
            if decision == ProposalStatus.APPROVED
            else ngettext("%(count)d question rejected.", "%(count)d questions rejected.", done)
        )
        messages.success(request, text % {"count": done})
    if result.skipped:
        skipped = len(result.skipped)
        messages.info(
            request,
            ngettext(
                "%(count)d question had been decided already.",
                "%(count)d questions had been decided already.",
                skipped,
            )
            % {"count": skipped},
        )
    for proposal_id, message in result.failed.items():
        messages.error(request, f"#{proposal_id}: {message}")
    return HttpResponseRedirect(safe_next(request, _queue_url(brand.pk)))


def _candidates(brand: Brand, proposal: PhrasingProposal, query: str) -> list[tuple[int, str]]:
    """Articles that answer the question best by the help-center search (the current one
    left out), topped up with the brand's most recently edited ones."""
    from madoguchi.knowledge.search import search_articles

    hits = search_articles(
        brand_id=brand.pk,
        query=query,
        language=proposal.language,
        limit=MOVE_CANDIDATES + 1,
        include_internal=True,
        include_drafts=True,
    ).hits
    ids = [h.article_id for h in hits if h.article_id != proposal.article_id][:MOVE_CANDIDATES]
    if len(ids) < MOVE_CANDIDATES:  # search found little: offer the newest ones as well
        newest = (
            Article.objects.filter(brand=brand)
            .exclude(pk__in=[proposal.article_id, *ids])
            .order_by("-updated_at", "-pk")
            .values_list("pk", flat=True)[: MOVE_CANDIDATES - len(ids)]
        )
        ids += list(newest)
    articles = {
        a.pk: a
        for a in Article.objects.filter(brand=brand, pk__in=ids).prefetch_related("translations")
    }
    out = []
    for article_id in ids:
        article = articles.get(article_id)
        if article is not None:
            shown = pick_title(article, proposal.language)
            out.append((article_id, shown.title if shown else f"#{article_id}"))
    return out


@console_view
def proposal_move(request: HttpRequest, agent: Agent, proposal_id: int) -> HttpResponse:
    """Choose the article that really answers the question (search by the question itself)."""
    require_editor(agent)
    proposal = _proposal(agent, proposal_id)
    brand = Brand.objects.get(pk=proposal.article.brand_id)
    status = 200
    error = ""
    if request.method == "POST":
        wanted = parse_id(request.POST.get("article"))
        try:
            if wanted is None:
                raise NotFound(_("Choose an article."), code="article_not_found")
            then_approve = request.POST.get("then") == "approve"
            actions.move(agent, proposal.pk, wanted, then_approve=then_approve)
            if then_approve:
                messages.success(request, _("Moved and approved."))
            else:
                messages.success(request, _("Moved to the other article."))
            return HttpResponseRedirect(safe_next(request, _queue_url(brand.pk)))
        except DomainError as exc:
            error, status = str(exc.message), exc.status
            proposal = _proposal(agent, proposal_id)
    query = (request.GET.get("q") or "").strip()[:200] or proposal.text
    context = {
        "row": _rows(agent, [proposal])[0],
        "brand": brand,
        "query": query,
        "candidates": _candidates(brand, proposal, query),
        "error": error,
        "next": safe_next(request, _queue_url(brand.pk)),
        "nav_active": "kb_proposals",
    }
    return render(request, "web/knowledge/proposal_move.html", context, status=status)
