"""The synonym list in the console: a brand's groups, the global ones and the built-in
defaults (read-only), add / edit / delete, and a "try it" box that shows how search reads a
question's synonyms. Leads edit their brands' groups; administrators also the global ones.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent, Brand
from madoguchi.core.errors import DomainError, Forbidden, NotFound
from madoguchi.knowledge.actions import synonyms as actions
from madoguchi.knowledge.actions.access import readable_brands, require_editor
from madoguchi.knowledge.engine.synonyms import DEFAULT_GROUPS
from madoguchi.knowledge.models import Synonym

from .base import console_view, is_htmx
from .knowledge import current_brand

MAX_TRY = 200


def _list_url(brand_id: int) -> str:
    return reverse("web:kb_synonyms") + f"?brand={brand_id}"


def _page(
    request: HttpRequest,
    agent: Agent,
    brand: Brand,
    *,
    editing: Synonym | None = None,
    terms: str = "",
    scope: str = "brand",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:MAX_TRY]
    rows = list(actions.groups_in_scope(brand.pk))
    context: dict[str, Any] = {
        "brand": brand,
        "brands": readable_brands(agent).order_by("name", "pk"),
        "brand_groups": [r for r in rows if r.brand_id is not None],
        "global_groups": [r for r in rows if r.brand_id is None],
        "default_groups": DEFAULT_GROUPS,
        "can_edit_global": actions.can_edit_global(agent),
        "editing": editing,
        "terms": terms,
        "scope": scope,
        "error": error,
        "query": query,
        "expansions": actions.expand(brand.pk, query) if query else None,
        "limits": {"min": actions.MIN_TERMS, "max": actions.MAX_TERMS, "chars": actions.MAX_TERM},
        "nav_active": "kb_synonyms",
    }
    return render(request, "web/knowledge/synonyms.html", context, status=status)


@console_view
def synonym_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    """GET: the list (and the try-it result); POST: a new group."""
    require_editor(agent)
    brand = current_brand(request, agent)
    if request.method != "POST":
        if is_htmx(request) and "q" in request.GET:
            query = (request.GET.get("q") or "").strip()[:MAX_TRY]
            context = {"query": query, "expansions": actions.expand(brand.pk, query)}
            return render(request, "web/knowledge/_synonym_try.html", context)
        return _page(request, agent, brand)
    terms = request.POST.get("terms", "")
    scope = "global" if request.POST.get("scope") == "global" else "brand"
    try:
        actions.do_create_synonym(
            agent,
            brand_id=None if scope == "global" else brand.pk,
            terms=actions.split_terms(terms),
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _page(
            request, agent, brand, terms=terms, scope=scope, error=str(exc.message), status=422
        )
    messages.success(request, _("Synonym group added. Search uses it within a few seconds."))
    return HttpResponseRedirect(_list_url(brand.pk))


def _group(agent: Agent, synonym_id: int) -> Synonym:
    row = actions.groups_visible(agent).filter(pk=synonym_id).first()
    if row is None:
        raise NotFound(_("Synonym group not found."), code="synonym_not_found")
    return row


@console_view
def synonym_edit(request: HttpRequest, agent: Agent, synonym_id: int) -> HttpResponse:
    require_editor(agent)
    row = _group(agent, synonym_id)
    brand = Brand.objects.get(pk=row.brand_id) if row.brand_id else current_brand(request, agent)
    if request.method != "POST":
        if row.brand_id is None and not actions.can_edit_global(agent):
            raise Forbidden(
                _("Only administrators change the synonyms of every brand."), code="forbidden"
            )
        return _page(request, agent, brand, editing=row, terms="\n".join(row.terms))
    terms = request.POST.get("terms", "")
    try:
        actions.do_update_synonym(agent, row.pk, terms=actions.split_terms(terms))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _page(
            request, agent, brand, editing=row, terms=terms, error=str(exc.message), status=422
        )
    messages.success(request, _("Changes saved."))
    return HttpResponseRedirect(_list_url(brand.pk))


@require_POST
@console_view
def synonym_delete(request: HttpRequest, agent: Agent, synonym_id: int) -> HttpResponse:
    require_editor(agent)
    row = _group(agent, synonym_id)
    brand_id = row.brand_id or current_brand(request, agent).pk
    actions.do_delete_synonym(agent, row.pk)
    messages.success(request, _("Synonym group deleted."))
    return HttpResponseRedirect(_list_url(brand_id))
