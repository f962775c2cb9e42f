"""The customer directory: search, profile, edit, merge."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can
from madoguchi.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from madoguchi.customers.actions import Handle, do_update_customer
from madoguchi.customers.models import Customer, IdentityKind
from madoguchi.search.index import match
from madoguchi.search.models import DocumentKind
from madoguchi.tickets.access import get_visible_customer, visible_customers, visible_tickets
from madoguchi.tickets.actions import do_merge_customers

from ..forms import CustomerForm, MergeCustomerForm
from .base import console_view

PAGE_SIZE = 50
SEARCH_LIMIT = 200
PICKER_LIMIT = 8
CUSTOMER_TICKETS = 50


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


@require_GET
@console_view
def customer_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    cursor = request.GET.get("cursor", "")
    next_cursor = None
    if query:
        customers = search_customers(agent, query, SEARCH_LIMIT)
    else:
        qs = visible_customers(agent).prefetch_related("identities").order_by("-updated_at", "-id")
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
    merge_form: MergeCustomerForm | None = None,
    error: object = None,
    status: int = 200,
) -> HttpResponse:
    tickets = list(
        visible_tickets(agent)
        .filter(customer=customer)
        .select_related("assignee", "inbox")
        .order_by("-updated_at", "-id")[: CUSTOMER_TICKETS + 1]
    )
    initial: dict[str, Any] = {
        "name": customer.name,
        "name_kana": customer.name_kana,
        "language": customer.language,
        "preferred_channel": customer.preferred_channel,
        "postal_code": customer.postal_code,
        "address": customer.address,
        "notes": customer.notes,
        "tags": " ".join(customer.tags),
    }
    return render(
        request,
        "web/customers/detail.html",
        {
            "customer": customer,
            "customer_language": dict(settings.LANGUAGES).get(customer.language, customer.language),
            "identities": list(customer.identities.all()),
            "tickets": tickets[:CUSTOMER_TICKETS],
            "more_tickets": len(tickets) > CUSTOMER_TICKETS,
            "form": form or CustomerForm(initial=initial),
            "merge_form": merge_form or MergeCustomerForm(),
            "can_write": can(agent, Capability.WRITE),
            "can_merge": can(agent, Capability.MERGE_CUSTOMERS),
            "error": error,
            "editing": form is not None,
            "nav_active": "customers",
        },
        status=status,
    )


@require_GET
@console_view
def customer_detail(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    return _profile(request, agent, get_visible_customer(agent, customer_id))


@require_POST
@console_view
def customer_edit(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    customer = get_visible_customer(agent, customer_id)
    form = CustomerForm(request.POST)
    if not form.is_valid():
        return _profile(request, agent, customer, form=form, status=422)
    data = form.cleaned_data
    handles = [Handle(IdentityKind.EMAIL, data["add_email"])] if data["add_email"] else []
    if data["add_phone"]:
        handles.append(Handle(IdentityKind.PHONE, data["add_phone"]))
    try:
        do_update_customer(agent, customer, form.fields_for_action(), handles)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        customer.refresh_from_db()
        return _profile(request, agent, customer, form=form, error=exc.message, status=exc.status)
    messages.success(request, _("Customer saved."))
    return HttpResponseRedirect(reverse("web:customer", args=[customer.pk]))


@require_POST
@console_view
def customer_merge(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    """Merge this customer into another; the action itself checks MERGE_CUSTOMERS."""
    source = get_visible_customer(agent, customer_id)
    form = MergeCustomerForm(request.POST)
    if not form.is_valid():
        return _profile(request, agent, source, merge_form=form, status=422)
    try:
        target = get_visible_customer(agent, form.cleaned_data["target"])
        merged = do_merge_customers(agent, source, target)
    except Forbidden:
        raise
    except DomainError as exc:
        return _profile(
            request, agent, source, merge_form=form, error=exc.message, status=exc.status
        )
    messages.success(request, _("Customers merged."))
    return HttpResponseRedirect(reverse("web:customer", args=[merged.pk]))
