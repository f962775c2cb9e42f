"""Macros: search, create, edit, delete, and a live preview of the variables (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError, NotFound
from madoguchi.tickets.access import visible_tickets
from madoguchi.tickets.actions.macro_admin import (
    do_create_macro,
    do_delete_macro,
    do_update_macro,
    macros_for_settings,
    preview_macro,
    sample_variables,
    unknown_variables,
)
from madoguchi.tickets.models import Macro

from ...forms import parse_ticket_number
from ...forms.settings import MacroForm
from ..base import console_view
from .common import form_error

NAV = "settings_macros"
LIST_LIMIT = 500


@console_view
def macro_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    query = request.GET.get("q", "").strip()[:200]
    macros = macros_for_settings(agent).order_by("name", "pk")
    if query:
        macros = macros.filter(Q(name__icontains=query) | Q(body__icontains=query))
    return render(
        request,
        "web/settings/macros.html",
        {"macros": macros[:LIST_LIMIT], "query": query, "nav_active": NAV},
    )


def _fields(form: MacroForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "brand_id": data["brand"],
        "body": data["body"],
        "set_status": data["set_status"],
        "set_priority": data["set_priority"],
        "add_tags": data["add_tags"],
        "shared": data["shared"],
    }


def _editor(
    request: HttpRequest, agent: Agent, form: MacroForm, macro: Macro | None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "macro": macro,
        "variables": [
            "{{" + group + "." + name + "}}"
            for group, values in sample_variables(agent).items()
            for name in values
        ],
        "nav_active": NAV,
    }
    return render(request, "web/settings/macro_edit.html", context, status=status)


@console_view
def macro_new(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    if request.method != "POST":
        return _editor(request, agent, MacroForm(initial={"shared": True}), None)
    form = MacroForm(request.POST)
    if not form.is_valid():
        return _editor(request, agent, form, None, 422)
    try:
        macro = do_create_macro(agent, **_fields(form))
    except DomainError as exc:
        return _editor(request, agent, form, None, form_error(form, exc))
    messages.success(request, _("Macro “%(name)s” created.") % {"name": macro.name})
    return HttpResponseRedirect(reverse("web:settings_macros"))


def _get(agent: Agent, macro_id: int) -> Macro:
    macro = macros_for_settings(agent).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("Macro not found."), code="macro_not_found")
    return macro


@console_view
def macro_edit(request: HttpRequest, agent: Agent, macro_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    macro = _get(agent, macro_id)
    if request.method != "POST":
        initial = {
            "name": macro.name,
            "brand": macro.brand_id,
            "shared": macro.owner_id is None,
            "body": macro.body,
            "set_status": macro.set_status,
            "set_priority": macro.set_priority,
            "add_tags": ", ".join(macro.add_tags or []),
        }
        return _editor(request, agent, MacroForm(initial=initial), macro)
    form = MacroForm(request.POST)
    if not form.is_valid():
        return _editor(request, agent, form, macro, 422)
    try:
        do_update_macro(agent, macro.pk, **_fields(form))
    except DomainError as exc:
        return _editor(request, agent, form, macro, form_error(form, exc))
    messages.success(request, _("Changes saved."))
    return HttpResponseRedirect(reverse("web:settings_macros"))


@require_POST
@console_view
def macro_delete(request: HttpRequest, agent: Agent, macro_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    do_delete_macro(agent, macro_id)
    messages.success(request, _("Macro deleted."))
    return HttpResponseRedirect(reverse("web:settings_macros"))


@require_POST
@console_view
def macro_preview(request: HttpRequest, agent: Agent) -> HttpResponse:
    """The body rendered against the chosen ticket (by number) or the sample; an htmx fragment."""
    require(agent, Capability.MANAGE_SETTINGS)
    body = request.POST.get("body", "")[:20000]
    context: dict[str, Any] = {"unknown": unknown_variables(body, agent), "ticket": None}
    status = 200
    try:
        number = parse_ticket_number(request.POST.get("preview_ticket", ""))
    except ValidationError:
        number = None
        context["problem"] = _("Enter a ticket number such as #10234.")
        status = 422
    ticket = None
    if number is not None:
        ticket = visible_tickets(agent).filter(number=number).first()
        if ticket is None:
            context["problem"] = _("Ticket #%(number)s not found.") % {"number": number}
            status = 422
    context["ticket"] = ticket
    context["rendered"] = preview_macro(agent, body, ticket.pk if ticket else None)
    return render(request, "web/settings/_macro_preview.html", context, status=status)
