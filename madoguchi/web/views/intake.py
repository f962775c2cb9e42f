"""Agents bring calls and FAXes in: both become InboundMessages and go through ingest()."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.connectors import fax, phone
from madoguchi.core.errors import DomainError, NotFound, ValidationFailed
from madoguchi.customers.actions import Handle, find_by_handles
from madoguchi.customers.models import Customer, IdentityKind
from madoguchi.inboxes.ingest import ingest
from madoguchi.tickets.access import get_visible_customer, visible_customers, visible_tickets
from madoguchi.tickets.models import UNSOLVED

from ..forms import CallForm, FaxForm
from .base import console_view, working_inboxes
from .customers import search_customers

CALLER_MATCHES = 5
CALLER_TICKETS = 5
MIN_LOOKUP_DIGITS = 4


def _known(agent: Agent, form: CallForm | FaxForm) -> tuple[int | None, int | None]:
    """The customer and ticket the agent named, checked against their scope."""
    data = form.cleaned_data
    customer_id = ticket_id = None
    if data.get("customer_id"):
        try:
            customer_id = get_visible_customer(agent, data["customer_id"]).pk
        except NotFound as exc:
            form.add_error("customer_id", ValidationError(str(exc.message)))
    if data.get("ticket_number"):
        found = visible_tickets(agent).filter(number=data["ticket_number"]).only("pk").first()
        if found is None:
            form.add_error(
                "ticket_number",
                _("No ticket #%(number)s that you can see.") % {"number": data["ticket_number"]},
            )
        else:
            ticket_id = found.pk
    return customer_id, ticket_id


def _render(
    request: HttpRequest, template: str, form: Any, *, status: int = 200, error: object = None
) -> HttpResponse:
    active = "call" if isinstance(form, CallForm) else "fax"
    return render(
        request, template, {"form": form, "error": error, "nav_active": active}, status=status
    )


def callers(agent: Agent, number: str) -> list[Customer]:
    """Who is calling: the owner of the exact number first (however it is typed: full-width
    digits, +81, dashes), then customers whose number starts with what is typed so far."""
    digits = sum(ch.isdigit() for ch in number)
    if digits < MIN_LOOKUP_DIGITS:
        return []
    found: list[Customer] = []
    try:
        owner = find_by_handles(
            [Handle(IdentityKind.PHONE, number), Handle(IdentityKind.FAX, number)]
        )
    except ValidationFailed:  # not a whole number yet: only the prefix search below
        owner = None
    if owner and visible_customers(agent).filter(pk=owner.pk).exists():
        found.append(owner)
    for customer in search_customers(agent, number, CALLER_MATCHES):
        if all(c.pk != customer.pk for c in found):
            found.append(customer)
    return found[:CALLER_MATCHES]


@require_GET
@console_view
def caller_lookup(request: HttpRequest, agent: Agent) -> HttpResponse:
    """The call-center pop-up: the customer behind the number and their open tickets."""
    number = request.GET.get("number", "").strip()[:30]
    cards = []
    for customer in callers(agent, number):
        tickets = list(
            visible_tickets(agent)
            .filter(customer=customer, status__in=UNSOLVED)
            .order_by("-updated_at", "-id")[:CALLER_TICKETS]
        )
        cards.append({"customer": customer, "tickets": tickets})
    enough = sum(ch.isdigit() for ch in number) >= MIN_LOOKUP_DIGITS
    return render(
        request, "web/intake/_caller.html", {"cards": cards, "number": number if enough else ""}
    )


@console_view
def call_new(request: HttpRequest, agent: Agent) -> HttpResponse:
    """Log a phone call: the number finds (or creates) the customer, the summary opens a ticket."""
    require(agent, Capability.WRITE)
    inboxes = working_inboxes(agent, "phone")
    template = "web/intake/call.html"
    if request.method != "POST":
        initial = {"token": CallForm.new_token(), "number": request.GET.get("number", "")[:30]}
        return _render(request, template, CallForm(initial=initial, inboxes=inboxes))
    form = CallForm(request.POST, inboxes=inboxes)
    if not form.is_valid():
        return _render(request, template, form, status=422)
    customer_id, ticket_id = _known(agent, form)
    if form.errors:
        return _render(request, template, form, status=422)
    data = form.cleaned_data
    minutes = data.get("duration_minutes")
    call = phone.CallLog(
        number=data["number"],
        direction=data["direction"],
        summary=data["summary"],
        follow_up=data["follow_up"],
        caller_name=data["caller_name"],
        duration_seconds=minutes * 60 if minutes is not None else None,
        ticket_id=ticket_id,
        customer_id=customer_id,
        call_id=f"web-call-{data['token']}",
    )
    try:
        result = ingest(phone.parse(data["inbox"].pk, call, agent.pk))
    except DomainError as exc:
        return _render(request, template, form, status=exc.status, error=exc.message)
    if not result.duplicate:
        messages.success(request, _("Call logged."))
    return HttpResponseRedirect(reverse("web:ticket", args=[result.ticket_id]))


@console_view
def fax_new(request: HttpRequest, agent: Agent) -> HttpResponse:
    """Upload a scanned FAX (order or letter) and link it to a customer."""
    require(agent, Capability.WRITE)
    inboxes = working_inboxes(agent, "fax")
    template = "web/intake/fax.html"
    if request.method != "POST":
        initial = {"customer_id": request.GET.get("customer")}
        return _render(request, template, FaxForm(initial=initial, inboxes=inboxes))
    form = FaxForm(request.POST, request.FILES, inboxes=inboxes)
    if not form.is_valid():
        return _render(request, template, form, status=422)
    customer_id, ticket_id = _known(agent, form)
    if form.errors:
        return _render(request, template, form, status=422)
    data = form.cleaned_data
    scan = data["scan"]
    upload = fax.FaxUpload(
        filename=scan.name or "fax",
        content_type=(scan.content_type or "").lower(),
        data=scan.read(),
        note=data["note"],
        irregular_order=data["irregular_order"],
        fax_number=data["fax_number"],
        sender_name=data["sender_name"],
        customer_id=customer_id,
        ticket_id=ticket_id,
    )
    try:
        result = ingest(fax.parse(data["inbox"].pk, upload, agent.pk))
    except DomainError as exc:
        return _render(request, template, form, status=exc.status, error=exc.message)
    if result.duplicate:
        messages.info(request, _("This scan was uploaded before; here is its ticket."))
    else:
        messages.success(request, _("FAX added."))
    return HttpResponseRedirect(reverse("web:ticket", args=[result.ticket_id]))
