"""Tags: usage counts (one query), rename, merge into another tag, delete."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError
from madoguchi.tickets.actions.tag_admin import (
    do_delete_tag,
    do_merge_tag,
    do_rename_tag,
    tags_with_usage,
)

from ...forms.settings import TagMergeForm, TagRenameForm
from ..base import console_view

NAV = "settings_tags"


def _page(request: HttpRequest, *, problem: str = "", status: int = 200) -> HttpResponse:
    context = {"tags": list(tags_with_usage()), "problem": problem, "nav_active": NAV}
    return render(request, "web/settings/tags.html", context, status=status)


@require_GET
@console_view
def tag_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    return _page(request)


def _post(
    request: HttpRequest, form: TagRenameForm | TagMergeForm, act: Callable[[str], str]
) -> HttpResponse:
    """Run one tag action; a refusal is shown above the list with its status (422)."""
    if not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _page(request, problem=problem, status=422)
    try:
        done = act(next(iter(form.cleaned_data.values())))
    except DomainError as exc:
        if exc.status != 422:
            raise
        return _page(request, problem=str(exc.message), status=exc.status)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("web:settings_tags"))


@require_POST
@console_view
def tag_rename(request: HttpRequest, agent: Agent, tag_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)

    def act(name: str) -> str:
        tag = do_rename_tag(agent, tag_id, name)
        return _("Tag renamed to “%(name)s”.") % {"name": tag.name}

    return _post(request, TagRenameForm(request.POST), act)


@require_POST
@console_view
def tag_merge(request: HttpRequest, agent: Agent, tag_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)

    def act(into: str) -> str:
        tag = do_merge_tag(agent, tag_id, into)
        return _("Tag merged into “%(name)s”.") % {"name": tag.name}

    return _post(request, TagMergeForm(request.POST), act)


@require_POST
@console_view
def tag_delete(request: HttpRequest, agent: Agent, tag_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    do_delete_tag(agent, tag_id)
    messages.success(request, _("Tag deleted."))
    return HttpResponseRedirect(reverse("web:settings_tags"))
