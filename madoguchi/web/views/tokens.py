"""The agent's own API tokens: list, create (the raw token is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent, ApiToken
from madoguchi.accounts.tokens import do_create_token, do_revoke_token
from madoguchi.core.errors import ValidationFailed

from ..forms import TokenForm
from .base import console_view


def _render(
    request: HttpRequest, agent: Agent, form: TokenForm, *, raw: str = "", status: int = 200
) -> HttpResponse:
    response = render(
        request,
        "web/tokens.html",
        {
            "tokens": ApiToken.objects.filter(agent=agent).order_by("-created_at", "-id"),
            "form": form,
            "raw_token": raw,
            "api_docs": reverse("api:openapi-view"),
            "nav_active": "tokens",
        },
        status=status,
    )
    if raw:
        response["Cache-Control"] = "no-store"
    return response


@console_view
def tokens(request: HttpRequest, agent: Agent) -> HttpResponse:
    if request.method != "POST":
        return _render(request, agent, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, agent, form, status=422)
    try:
        _token, raw = do_create_token(agent, agent, form.cleaned_data["name"])
    except ValidationFailed as exc:
        form.add_error("name", str(exc.message))
        return _render(request, agent, form, status=exc.status)
    return _render(request, agent, TokenForm(), raw=raw)


@require_POST
@console_view
def revoke(request: HttpRequest, agent: Agent, token_id: int) -> HttpResponse:
    token = do_revoke_token(agent, token_id)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return HttpResponseRedirect(reverse("web:tokens"))
