"""Teams: list with member counts, create, rename, delete while unused (leads and admins)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent, Team
from madoguchi.accounts.org_admin import do_create_team, do_delete_team, do_rename_team
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError

from ...forms.settings import TeamForm
from ..base import console_view
from .common import form_error

NAV = "settings_teams"


def _page(
    request: HttpRequest, form: TeamForm, *, status: int = 200, failed: str = ""
) -> HttpResponse:
    teams = Team.objects.annotate(members=Count("agents", distinct=True)).order_by("name")
    context = {"teams": teams, "form": form, "failed": failed, "nav_active": NAV}
    return render(request, "web/settings/teams.html", context, status=status)


@console_view
def team_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    if request.method != "POST":
        return _page(request, TeamForm())
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    try:
        team = do_create_team(agent, form.cleaned_data["name"])
    except DomainError as exc:
        return _page(request, form, status=form_error(form, exc))
    messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
    return HttpResponseRedirect(reverse("web:settings_teams"))


@require_POST
@console_view
def team_rename(request: HttpRequest, agent: Agent, team_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    form = TeamForm(request.POST)
    if not form.is_valid():
        problem = " ".join(str(e) for e in form.errors.get("name") or [_("Enter a team name.")])
        return _page(request, TeamForm(), status=422, failed=problem)
    try:
        team = do_rename_team(agent, team_id, form.cleaned_data["name"])
    except DomainError as exc:
        if exc.status != 422:
            raise
        return _page(request, TeamForm(), status=422, failed=str(exc.message))
    messages.success(request, _("Team renamed to “%(name)s”.") % {"name": team.name})
    return HttpResponseRedirect(reverse("web:settings_teams"))


@require_POST
@console_view
def team_delete(request: HttpRequest, agent: Agent, team_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    do_delete_team(agent, team_id)
    messages.success(request, _("Team deleted."))
    return HttpResponseRedirect(reverse("web:settings_teams"))
