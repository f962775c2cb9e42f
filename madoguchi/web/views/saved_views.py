"""Saved inbox views: “Save this view” from the filter bar, and `/settings/views/` to rename,
share, reorder and delete them. The actions in tickets.actions.saved_views decide."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can
from madoguchi.core.errors import ValidationFailed
from madoguchi.tickets import access as tickets_access
from madoguchi.tickets.actions import (
    do_create_saved_view,
    do_delete_saved_view,
    do_move_saved_view,
    do_update_saved_view,
)
from madoguchi.tickets.actions.saved_views import can_edit
from madoguchi.tickets.models import SavedView
from madoguchi.tickets.queries import saved_views_for

from ..forms.inbox import SavedViewEditForm, SaveViewForm
from .base import console_view


def view_url(view: SavedView) -> str:
    """The inbox link that shows a saved view: its filters plus `saved=<id>` for the title."""
    params = dict(view.filters)
    params["saved"] = view.pk
    return reverse("web:inbox") + "?" + urlencode(params, doseq=True)


def nav_saved_views(agent: Agent) -> list[dict[str, Any]]:
    """The side nav's saved views: key for `nav_active`, name, link, shared.

    A shared view filtered to an inbox this agent does not work (an outsourced agent and the
    lead's view of another inbox) is left out: it could only answer with a filter error.
    One query, and one more only when some view names an inbox.
    """
    views = list(saved_views_for(agent))
    if any(v.filters.get("inbox") for v in views):
        allowed = {
            str(pk) for pk in tickets_access.working_inboxes(agent).values_list("pk", flat=True)
        }
        views = [v for v in views if str(v.filters.get("inbox") or "") in allowed | {""}]
    return [
        {"key": f"saved-{v.pk}", "pk": v.pk, "name": v.name, "url": view_url(v), "shared": v.shared}
        for v in views
    ]


def _filters(query: str) -> dict[str, Any]:
    data = QueryDict(query)
    return {key: data.getlist(key) if key == "status" else data.getlist(key)[-1] for key in data}


def _form_error(form: Any) -> ValidationFailed:
    text = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return ValidationFailed(text, code="invalid_input")


@require_POST
@console_view
def save(request: HttpRequest, agent: Agent) -> HttpResponse:
    """Save the inbox's current filters as a new view (or into the open one); then open it."""
    form = SaveViewForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    filters = _filters(form.cleaned_data.get("query") or "")
    if form.cleaned_data.get("replace"):
        view = do_update_saved_view(
            agent, form.cleaned_data["replace"], name=form.cleaned_data["name"], filters=filters
        )
    else:
        view = do_create_saved_view(
            agent, form.cleaned_data["name"], filters, shared=form.cleaned_data["shared"]
        )
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    return HttpResponseRedirect(view_url(view))


@console_view
def manage(request: HttpRequest, agent: Agent) -> HttpResponse:
    """`/settings/views/`: the agent's own views and the shared ones."""
    views = list(saved_views_for(agent).select_related("owner"))
    rows = [
        {
            "view": v,
            "url": view_url(v),
            "editable": can_edit(agent, v),
            "form": SavedViewEditForm(initial={"name": v.name, "shared": v.shared}),
        }
        for v in views
    ]
    editable = [r for r in rows if r["editable"]]
    for index, row in enumerate(editable):
        row["first"] = index == 0
        row["last"] = index == len(editable) - 1
    return render(
        request,
        "web/settings_views/page.html",
        {
            "rows": rows,
            "can_share": can(agent, Capability.MANAGE_SETTINGS),
            "nav_active": "saved_views",
        },
    )


def _back(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(reverse("web:saved_views"))


@require_POST
@console_view
def edit(request: HttpRequest, agent: Agent, view_id: int) -> HttpResponse:
    form = SavedViewEditForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    shared = form.cleaned_data["shared"] if can(agent, Capability.MANAGE_SETTINGS) else None
    view = do_update_saved_view(agent, view_id, name=form.cleaned_data["name"], shared=shared)
    return _back(request, _("Saved the view “%(name)s”.") % {"name": view.name})


@require_POST
@console_view
def move(request: HttpRequest, agent: Agent, view_id: int) -> HttpResponse:
    do_move_saved_view(agent, view_id, request.POST.get("direction", ""))
    return _back(request, _("The order of your views was changed."))


@require_POST
@console_view
def delete(request: HttpRequest, agent: Agent, view_id: int) -> HttpResponse:
    do_delete_saved_view(agent, view_id)
    return _back(request, _("The view was deleted."))
