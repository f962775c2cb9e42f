"""The customer profile's parts, each editable in place with htmx: profile fields, contact
handles, custom fields, and the customer's tickets (keyset pages, newest first).

Every part is a `<section>` that its own POST answers with a fresh copy of itself (422/409
with the error inside when refused); without htmx the same POSTs redirect to the profile.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can
from madoguchi.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from madoguchi.customers.actions import (
    Handle,
    do_add_identity,
    do_remove_identity,
    do_update_customer,
)
from madoguchi.customers.models import Customer, IdentityKind
from madoguchi.tickets.access import get_visible_customer, visible_tickets

from ..forms.customers import CustomerForm, IdentityForm
from .base import console_view, error_page, is_htmx

TICKETS_PAGE = 20
# Handles an agent may add by hand (chat visitors only come from the chat widget).
ADDABLE_KINDS = [(k, label) for k, label in IdentityKind.choices if k != IdentityKind.CHAT]


def profile_initial(customer: Customer) -> dict[str, Any]:
    return {
        "name": customer.name,
        "name_kana": customer.name_kana,
        "language": customer.language,
        "preferred_channel": customer.preferred_channel,
        "postal_code": customer.postal_code,
        "address": customer.address,
        "notes": customer.notes,
        "tags": " ".join(customer.tags),
    }


def ticket_page(agent: Agent, customer: Customer, before: str = "") -> dict[str, Any]:
    """One page of the customer's tickets the agent can see, newest first, by id keyset."""
    qs = visible_tickets(agent).filter(customer=customer).select_related("assignee", "inbox")
    if before:
        if not before.isdigit():
            raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor")
        qs = qs.filter(pk__lt=int(before))
    rows = list(qs.order_by("-id")[: TICKETS_PAGE + 1])
    more = len(rows) > TICKETS_PAGE
    rows = rows[:TICKETS_PAGE]
    return {
        "tickets": rows,
        "tickets_next": rows[-1].pk if more else None,
        "tickets_first_page": not before,
    }


def section_context(agent: Agent, customer: Customer, **extra: Any) -> dict[str, Any]:
    return {
        "customer": customer,
        "customer_language": dict(settings.LANGUAGES).get(customer.language, customer.language),
        "identities": list(customer.identities.all()),
        "identity_kinds": ADDABLE_KINDS,
        "can_write": can(agent, Capability.WRITE) and not customer.merged_into_id,
        "can_merge": can(agent, Capability.MERGE_CUSTOMERS),
        **extra,
    }


def _section(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"web/customers/{template}", context, status=status)


@require_GET
@console_view
def customer_tickets(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    customer = get_visible_customer(agent, customer_id)
    page = ticket_page(agent, customer, request.GET.get("before", ""))
    return _section(request, "_tickets.html", {"customer": customer, **page})


@require_GET
@console_view
def profile_form(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    """The profile section as a form (the "Edit" button swaps it in)."""
    customer = get_visible_customer(agent, customer_id)
    form = CustomerForm(initial=profile_initial(customer))
    return _section(request, "_profile_form.html", section_context(agent, customer, form=form))


@require_GET
@console_view
def profile_section(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    customer = get_visible_customer(agent, customer_id)
    return _section(request, "_profile.html", section_context(agent, customer))


def save_profile(agent: Agent, customer: Customer, form: CustomerForm) -> DomainError | None:
    """Save a valid profile form; a refusal comes back (the row reloaded) for the form to show.
    Shared by the htmx section and the full-page form."""
    try:
        do_update_customer(agent, customer, form.fields_for_action(), form.handles())
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        customer.refresh_from_db()
        return exc
    return None


def profile_saved(
    request: HttpRequest, agent: Agent, customer: Customer, form: CustomerForm
) -> HttpResponse:
    """The htmx answer to the profile form: the section, or the form with its errors."""
    if not form.is_valid():
        context = section_context(agent, customer, form=form)
        return _section(request, "_profile_form.html", context, status=422)
    if exc := save_profile(agent, customer, form):
        context = section_context(agent, customer, form=form, error=exc.message)
        return _section(request, "_profile_form.html", context, status=exc.status)
    response = _section(request, "_profile.html", section_context(agent, customer, saved=True))
    response["HX-Trigger"] = "customer-saved"
    return response


def _identities(
    request: HttpRequest,
    agent: Agent,
    customer: Customer,
    *,
    form: IdentityForm | None = None,
    error: object = None,
    owner: int | None = None,
    status: int = 200,
) -> HttpResponse:
    if not is_htmx(request):
        if error:
            return error_page(request, error, status)
        return HttpResponseRedirect(reverse("web:customer", args=[customer.pk]))
    context = section_context(
        agent, customer, identity_form=form or IdentityForm(), error=error, owner=owner
    )
    return _section(request, "_identities.html", context, status=status)


@require_POST
@console_view
def identity_add(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    customer = get_visible_customer(agent, customer_id)
    form = IdentityForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _identities(request, agent, customer, form=form, error=message, status=422)
    handle = Handle(form.cleaned_data["kind"], form.cleaned_data["value"])
    try:
        do_add_identity(agent, customer, handle)
    except Conflict as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        owner = details.get("customer_id")
        return _identities(
            request, agent, customer, form=form, error=exc.message, owner=owner, status=409
        )
    except ValidationFailed as exc:
        return _identities(request, agent, customer, form=form, error=exc.message, status=422)
    if not is_htmx(request):
        messages.success(request, _("Contact handle added."))
    return _identities(request, agent, customer)


@require_POST
@console_view
def identity_remove(
    request: HttpRequest, agent: Agent, customer_id: int, identity_id: int
) -> HttpResponse:
    customer = get_visible_customer(agent, customer_id)
    do_remove_identity(agent, customer, identity_id)
    if not is_htmx(request):
        messages.success(request, _("Contact handle removed."))
    return _identities(request, agent, customer)


@require_POST
@console_view
def custom_fields_save(request: HttpRequest, agent: Agent, customer_id: int) -> HttpResponse:
    """Replace the custom fields with the editor's rows (an empty name drops the row)."""
    customer = get_visible_customer(agent, customer_id)
    keys = request.POST.getlist("field_key")
    values = request.POST.getlist("field_value")
    if len(keys) != len(values):
        raise ValidationFailed(_("The custom fields form is incomplete."), code="invalid_form")
    rows = [(k.strip(), v) for k, v in zip(keys, values, strict=True)]
    names = [k for k, _v in rows if k]
    status: int = 200
    error: object = None
    if len(names) != len(set(names)):
        status, error = 422, _("Each custom field name can be used once.")
    else:
        try:
            do_update_customer(agent, customer, {"custom_fields": dict(r for r in rows if r[0])})
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            status, error = exc.status, exc.message
    if not is_htmx(request):
        if error:
            raise ValidationFailed(str(error), code="invalid_custom_fields")
        messages.success(request, _("Custom fields saved."))
        return HttpResponseRedirect(reverse("web:customer", args=[customer.pk]))
    if error:
        customer.refresh_from_db()
    context = section_context(agent, customer, error=error, field_rows=rows if error else None)
    return _section(request, "_custom_fields.html", context, status=status)
