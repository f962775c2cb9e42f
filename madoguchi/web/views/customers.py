"""The customer directory: search, list, picker, the profile page and its full-form edit."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can
from madoguchi.core.errors import ValidationFailed
from madoguchi.customers.models import Customer
from madoguchi.search.index import document_condition, match, match_unranked
from madoguchi.search.models import DocumentKind
from madoguchi.tickets.access import get_visible_customer, visible_customers

from ..forms.customers import CustomerForm, IdentityForm
from .base import console_view, is_htmx
from .customer_profile import (
    profile_initial,
    profile_saved,
    save_profile,
    section_context,
    ticket_page,
)

PAGE_SIZE = 50
SEARCH_LIMIT = 200
MATCH_CAP = 5000
RARE_MATCHES = 1000
PICKER_LIMIT = 8


def _cursor(customer: Customer) -> str:
    raw = json.dumps([customer.updated_at.isoformat(), customer.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int] | None:
    try:
        stamp, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        when = parse_datetime(stamp)
    except (ValueError, TypeError):
        return None
    return (when, pk) if when and isinstance(pk, int) else None


def search_customers(agent: Agent, query: str, limit: int) -> list[Customer]:
    """Customers matching name, フリガナ, email or phone, best first, within the agent's scope."""
    ids = match(DocumentKind.CUSTOMER, query, limit=SEARCH_LIMIT)
    found = {
        c.pk: c for c in visible_customers(agent).filter(pk__in=ids).prefetch_related("identities")
    }
    return [found[pk] for pk in ids if pk in found][:limit]


def _matching(qs: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Only customers whose search document matches, keeping the list's order and keyset.

    A rare term (a phone number, an email, an unusual name) matches few documents: their ids
    come straight from the index. A common one (山田) matches many: PostgreSQL then checks
    the document of each row while walking the list in its order (an EXISTS), which finds a
    page quickly and never caps paging; SQLite pages within the first MATCH_CAP matches.
    """
    ids = match_unranked(DocumentKind.CUSTOMER, query, RARE_MATCHES + 1)
    if len(ids) <= RARE_MATCHES:
        return qs.filter(pk__in=ids)
    condition = document_condition(DocumentKind.CUSTOMER, query)
    if condition is not None:
        return qs.filter(condition)
    return qs.filter(pk__in=match(DocumentKind.CUSTOMER, query, limit=MATCH_CAP))


@require_GET
@console_view
def customer_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    cursor = request.GET.get("cursor", "")
    next_cursor = None
    qs = visible_customers(agent).prefetch_related("identities").order_by("-updated_at", "-id")
    if query:
        qs = _matching(qs, query)
    position = _decode(cursor) if cursor else None
    if cursor and position is None:
        raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor")
    if position:
        when, pk = position
        qs = qs.filter(Q(updated_at__lt=when) | Q(updated_at=when, pk__lt=pk))
    customers = list(qs[: PAGE_SIZE + 1])
    if len(customers) > PAGE_SIZE:
        customers = customers[:PAGE_SIZE]
        next_cursor = _cursor(customers[-1])
    return render(
        request,
        "web/customers/list.html",
        {
            "customers": customers,
            "q": query,
            "next_cursor": next_cursor,
            "first_page": not cursor,
            "can_import": can(agent, Capability.WRITE) and can(agent, Capability.VIEW_ALL),
            "can_export": can(agent, Capability.EXPORT),
            "nav_active": "customers",
        },
    )


@require_GET
@console_view
def customer_picker(request: HttpRequest, agent: Agent) -> HttpResponse:
    """A short result list for intake screens (phone, FAX): pick the customer by a click.

    The call screen sends what is typed in its number field (`number`), the FAX screen `q`.
    """
    query = (request.GET.get("q") or request.GET.get("number") or "").strip()[:200]
    customers = search_customers(agent, query, PICKER_LIMIT) if query else []
    return render(request, "web/customers/_picker.html", {"customers": customers, "q": query})


def _profile(
    request: HttpRequest,
    agent: Agent,
    customer: Customer,
    *,
    form: CustomerForm | None = None,
    error: object = None,
    status: int = 200,
) -> HttpResponse:
    """The whole profile page; its sections are the same templates htmx swaps in place."""
    editing = form is not None or request.GET.get("edit") == "profile"
    context = section_context(
        agent,
        customer,
        form=form or CustomerForm(initial=profile_initial(customer)),
        error=error,
        editing=editing,
        identity_form=IdentityForm(),
        nav_active="customers",
        **ticket_page(agent, customer, request.GET.get("before", "")),
    )
    return render(request, "web/customers/detail.html", context, status=status)


@require_GET
@console_view
def customer_detail(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    return _profile(request, agent, get_visible_customer(agent, customer_id))


@require_POST
@console_view
def customer_edit(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    customer = get_visible_customer(agent, customer_id)
    form = CustomerForm(request.POST)
    if is_htmx(request):
        return profile_saved(request, agent, customer, form)
    if not form.is_valid():
        return _profile(request, agent, customer, form=form, status=422)
    if exc := save_profile(agent, customer, form):
        return _profile(request, agent, customer, form=form, error=exc.message, status=exc.status)
    messages.success(request, _("Customer saved."))
    return HttpResponseRedirect(reverse("web:customer", args=[customer.pk]))
