"""Who is calling: a bearer token (the documented way) or a logged-in console session."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from madoguchi.accounts.models import Agent
from madoguchi.accounts.tokens import agent_for_token
from madoguchi.core.errors import Forbidden

from .errors import Unauthorized

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _use_agent_language(request: HttpRequest, agent: Agent) -> None:
    """Without Accept-Language the agent's own language answers (it defaults to ja)."""
    if "HTTP_ACCEPT_LANGUAGE" not in request.META and "language" not in request.session:
        translation.activate(agent.language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


class BearerToken(HttpBearer):
    """`Authorization: Bearer mdg_…`. A header that is present but wrong is a 401 at once,
    never a silent fall-through to the session."""

    def __call__(self, request: HttpRequest) -> Agent | None:
        value = request.headers.get(self.header)
        if not value:
            return None
        scheme, _sep, token = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(
                _("Use the header “Authorization: Bearer <token>”."), code="unauthorized"
            )
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Agent:
        agent = agent_for_token(token)
        if agent is None:
            raise Unauthorized(_("The API token is invalid or revoked."), code="unauthorized")
        _use_agent_language(request, agent)
        return agent


class ConsoleSession(APIKeyCookie):
    """The console's own login, so its pages can call the API; writes need the CSRF token."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if not key or user is None or not user.is_authenticated or not user.is_active:
            return None
        agent = Agent.objects.select_related("user").filter(user_id=user.pk).first()
        if agent is None:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise Forbidden(
                _("The CSRF token is missing or wrong; reload the page."), code="csrf_failed"
            )
        return agent


def current_agent(request: HttpRequest) -> Agent:
    """The authenticated agent (set by the auth classes before any operation runs)."""
    agent = getattr(request, "auth", None)
    if not isinstance(agent, Agent):
        raise Unauthorized(_("Authentication required."), code="unauthorized")
    return agent
