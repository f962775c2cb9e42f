"""Merging two customers: pick the other one, see side by side what moves, confirm.

The preview mirrors tickets.actions.do_merge_customers: the customer merged *into* keeps
its fields and takes the other's where its own are empty; tags are combined, custom fields
keep its value on a clash, notes are appended, every handle and ticket moves.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError, Forbidden, ValidationFailed
from madoguchi.customers.models import Customer, IdentityKind
from madoguchi.tickets.access import get_visible_customer
from madoguchi.tickets.actions import do_merge_customers
from madoguchi.tickets.models import Ticket

from ..forms.customers import MergeCustomerForm
from .base import console_view

FILLED_FIELDS = ("name", "name_kana", "postal_code", "address")
KEPT_FIELDS = ("language", "preferred_channel")


def _shown(name: str, value: str) -> str:
    """Codes as the agent reads them: 日本語 rather than ja, メール rather than email."""
    if name == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    if name == "preferred_channel" and value in IdentityKind.values:
        return str(IdentityKind(value).label)
    return value


def merge_preview(source: Customer, target: Customer) -> dict[str, Any]:
    """What the merge will do, for the side-by-side page."""
    rows = []
    for name in (*FILLED_FIELDS, *KEPT_FIELDS):
        mine, theirs = getattr(source, name), getattr(target, name)
        result = theirs or mine if name in FILLED_FIELDS else theirs
        rows.append(
            {
                "label": getattr(Customer._meta.get_field(name), "verbose_name", name),
                "source": _shown(name, mine),
                "target": _shown(name, theirs),
                "result": _shown(name, result),
                "from_source": bool(result) and result != theirs,
            }
        )
    custom = {**source.custom_fields, **target.custom_fields}
    return {
        "rows": rows,
        "source_identities": list(source.identities.all()),
        "target_identities": list(target.identities.all()),
        "source_tickets": Ticket.objects.filter(customer=source).count(),
        "target_tickets": Ticket.objects.filter(customer=target).count(),
        "tags": sorted(set(target.tags) | set(source.tags)),
        "custom_fields": custom,
        "custom_lost": {
            k: v
            for k, v in source.custom_fields.items()
            if k in target.custom_fields and target.custom_fields[k] != v
        },
        "notes_appended": bool(source.notes),
    }


@require_http_methods(["GET", "POST"])
@console_view
def customer_merge(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    """GET: choose the other customer (`?target=`) and preview; POST: merge this customer
    into the target. The action itself checks MERGE_CUSTOMERS."""
    source = get_visible_customer(agent, customer_id)
    data = request.POST if request.method == "POST" else request.GET
    form = MergeCustomerForm(data if "target" in data else None)
    context: dict[str, Any] = {"source": source, "form": form, "nav_active": "customers"}
    if request.method == "GET":
        require(agent, Capability.MERGE_CUSTOMERS)
    if not form.is_bound:
        return render(request, "web/customers/merge.html", context)
    if not form.is_valid():
        return render(request, "web/customers/merge.html", context, status=422)
    try:
        target = get_visible_customer(agent, form.cleaned_data["target"])
        if target.pk == source.pk:
            raise ValidationFailed(_("A customer cannot be merged into itself."), code="merge_self")
        if request.method == "POST":
            merged = do_merge_customers(agent, source, target)
            messages.success(request, _("Customers merged."))
            return HttpResponseRedirect(reverse("web:customer", args=[merged.pk]))
    except Forbidden:
        raise
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "web/customers/merge.html", context, status=exc.status)
    context.update(target=target, preview=merge_preview(source, target))
    return render(request, "web/customers/merge.html", context)
