"""Agents and roles: list, create, edit, password, deactivate, inbox grants (admins only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.agent_admin import (
    do_create_agent,
    do_set_agent_active,
    do_set_agent_password,
    do_update_agent,
)
from madoguchi.accounts.models import Agent, Role, Team
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError, NotFound
from madoguchi.inboxes.admin_actions import do_set_agent_inboxes
from madoguchi.inboxes.models import Inbox

from ...forms.settings import AgentCreateForm, AgentInboxesForm, AgentProfileForm, PasswordForm
from ..base import console_view
from .common import form_error

NAV = "settings_agents"


def _inbox_choices() -> list[tuple[int, str]]:
    return [
        (i.pk, f"{i.brand.name} · {i.name}")
        for i in Inbox.objects.select_related("brand").order_by("brand__name", "name")
    ]


def _get(agent_id: int) -> Agent:
    target = Agent.objects.select_related("user").filter(pk=agent_id).first()
    if target is None:
        raise NotFound(_("Agent not found."), code="agent_not_found")
    return target


def _profile(data: dict[str, Any]) -> dict[str, Any]:
    """The profile fields the create and edit forms share, as the actions take them."""
    fields = ("display_name", "email", "role", "language", "time_zone", "signature")
    return {**{name: data[name] for name in fields}, "team_ids": data["teams"]}


@console_view
def agent_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_AGENTS)
    agents = (
        Agent.objects.select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-user__is_active", "display_name", "pk")
    )
    return render(request, "web/settings/agents.html", {"agents": agents, "nav_active": NAV})


@console_view
def agent_new(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_AGENTS)
    status = 200
    if request.method == "POST":
        form = AgentCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = do_create_agent(
                    agent,
                    username=data["username"],
                    password=data["password"],
                    **_profile(data),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(
                    request, _("Agent “%(name)s” created.") % {"name": created.display_name}
                )
                return HttpResponseRedirect(reverse("web:settings_agent", args=[created.pk]))
        else:
            status = 422
    else:
        form = AgentCreateForm(initial={"role": Role.AGENT, "language": request.LANGUAGE_CODE})
    return render(
        request, "web/settings/agent_new.html", {"form": form, "nav_active": NAV}, status=status
    )


def _edit_page(
    request: HttpRequest, target: Agent, *, status: int = 200, **forms: Any
) -> HttpResponse:
    profile = forms.get("profile") or AgentProfileForm(
        initial={
            "display_name": target.display_name,
            "email": target.user.email,
            "role": target.role,
            "teams": list(target.teams.values_list("pk", flat=True)),
            "language": target.language,
            "time_zone": target.time_zone,
            "signature": target.signature,
        }
    )
    inboxes = forms.get("inboxes") or AgentInboxesForm(
        inbox_choices=_inbox_choices(),
        initial={"inboxes": list(target.granted_inboxes.values_list("pk", flat=True))},
    )
    context = {
        "target": target,
        "profile_form": profile,
        "password_form": forms.get("password") or PasswordForm(),
        "inboxes_form": inboxes,
        "is_outsourced": target.role == Role.OUTSOURCED,
        "nav_active": NAV,
    }
    return render(request, "web/settings/agent_edit.html", context, status=status)


@console_view
def agent_edit(request: HttpRequest, agent: Agent, agent_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_AGENTS)
    target = _get(agent_id)
    if request.method != "POST":
        return _edit_page(request, target)
    form = AgentProfileForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, target, profile=form, status=422)
    data = form.cleaned_data
    try:
        do_update_agent(agent, target.pk, **_profile(data))
    except DomainError as exc:
        status = form_error(form, exc)
        return _edit_page(request, _get(agent_id), profile=form, status=status)
    messages.success(request, _("Changes saved."))
    return HttpResponseRedirect(reverse("web:settings_agent", args=[target.pk]))


@require_POST
@console_view
def agent_password(request: HttpRequest, agent: Agent, agent_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_AGENTS)
    target = _get(agent_id)
    form = PasswordForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, target, password=form, status=422)
    try:
        do_set_agent_password(agent, target.pk, form.cleaned_data["password"])
    except DomainError as exc:
        status = form_error(form, exc)
        return _edit_page(request, target, password=form, status=status)
    messages.success(request, _("Password set."))
    return HttpResponseRedirect(reverse("web:settings_agent", args=[target.pk]))


@require_POST
@console_view
def agent_active(request: HttpRequest, agent: Agent, agent_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_AGENTS)
    active = request.POST.get("active") == "1"
    target = do_set_agent_active(agent, agent_id, active)
    if active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": target.display_name})
    else:
        messages.success(request, _("%(name)s is deactivated.") % {"name": target.display_name})
    return HttpResponseRedirect(reverse("web:settings_agent", args=[target.pk]))


@require_POST
@console_view
def agent_inboxes(request: HttpRequest, agent: Agent, agent_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_AGENTS)
    target = _get(agent_id)
    form = AgentInboxesForm(request.POST, inbox_choices=_inbox_choices())
    if not form.is_valid():
        return _edit_page(request, target, inboxes=form, status=422)
    try:
        do_set_agent_inboxes(agent, target.pk, form.cleaned_data["inboxes"])
    except DomainError as exc:
        status = form_error(form, exc)
        return _edit_page(request, target, inboxes=form, status=status)
    messages.success(request, _("Inbox access saved."))
    return HttpResponseRedirect(reverse("web:settings_agent", args=[target.pk]))
