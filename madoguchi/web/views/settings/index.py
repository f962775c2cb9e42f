"""The settings start page: the settings pages this agent may open."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent

from ..base import console_view
from .sections import sections_for


@require_GET
@console_view
def index(request: HttpRequest, agent: Agent) -> HttpResponse:
    return render(
        request,
        "web/settings/index.html",
        {"sections": sections_for(agent), "nav_active": "settings"},
    )
