from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def console(request: HttpRequest) -> dict[str, Any]:
    """The signed-in agent for the console's header; None on public pages."""
    user = getattr(request, "user", None)
    agent = getattr(user, "agent", None) if user and user.is_authenticated else None
    return {"current_agent": agent}
