"""Agents see the console in their own language; everyone else gets Accept-Language or ja.

The login view puts the agent's saved language (Agent.language) into the session, and the
language switch updates both, so the session is the one place this middleware reads.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers


class AgentLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get("language") if hasattr(request, "session") else None
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)  # type: ignore[attr-defined]
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response


class AgentTimeZoneMiddleware:
    """Times on console pages are shown in the signed-in agent's own zone (Agent.time_zone).

    The agent row is the same one the console context reads, so this adds no query there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        agent = getattr(user, "agent", None) if user is not None and user.is_authenticated else None
        zone = _zone(agent.time_zone) if agent is not None else None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
