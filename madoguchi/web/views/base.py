"""What every console view shares: the signed-in agent, and domain errors as calm 4xx pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import DomainError
from madoguchi.inboxes.models import Inbox
from madoguchi.tickets import access as tickets_access

P = ParamSpec("P")
ConsoleView = Callable[Concatenate[HttpRequest, Agent, P], HttpResponseBase]


def agent_of(request: HttpRequest) -> Agent | None:
    """The agent profile behind the login, or None (a login without a profile)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "agent", None)


def error_page(
    request: HttpRequest, message: object, status: int, *, title: object = None
) -> HttpResponse:
    """A translated error page with the right status code (never a 500 for a refusal)."""
    titles = {
        403: _("You cannot do this"),
        404: _("Not found"),
        409: _("Something changed"),
        422: _("Please check your input"),
        429: _("Too many requests"),
    }
    return render(
        request,
        "web/error.html",
        {"title": title or titles.get(status, _("Request refused")), "message": message},
        status=status,
    )


def domain_error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_page(request, exc.message, exc.status)


def console_view(
    view: ConsoleView[P],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Login required, an agent profile required (else a clear 403), DomainError → 4xx page.

    The wrapped view receives the agent as its second argument.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        agent = agent_of(request)
        if agent is None:
            return error_page(
                request,
                _(
                    "Your login has no agent profile, so the console is not available to you. "
                    "Ask an administrator to create one."
                ),
                403,
                title=_("No agent profile"),
            )
        try:
            return view(request, agent, *args, **kwargs)
        except DomainError as exc:
            return domain_error_page(request, exc)

    return wrapped


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` target if it stays on this site, else the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def working_inboxes(agent: Agent, kind: str = "", *, active_only: bool = True) -> QuerySet[Inbox]:
    """Inboxes the agent works: all for roles that see everything, else the granted ones and
    those whose default team is one of the agent's teams (the same rule ingest applies).

    Intake screens (phone, FAX) offer only these, since a ticket opened elsewhere would vanish
    from the agent's own view; the inbox filter lists them too.
    """
    qs = tickets_access.working_inboxes(agent)
    if active_only:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("brand__name", "name")
