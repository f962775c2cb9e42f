"""Template context for every page: the signed-in agent and the inbox views' live counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from madoguchi.tickets.queries import VIEWS

# Each console area keeps its own stylesheet and script (web/static/web/{css,js}/<area>.*).
CONSOLE_AREAS = (
    "inbox",
    "workspace",
    "customers",
    "settings",
    "notifications",
    "live",
    "knowledge",
)


def console(request: HttpRequest) -> dict[str, Any]:
    """`current_agent` is None on public pages. The side-nav view counts are not rendered with
    the page: live.js fetches them from `/live/counts/` right after it (decision 004)."""
    user = getattr(request, "user", None)
    agent = getattr(user, "agent", None) if user and user.is_authenticated else None
    if agent is None:
        return {"current_agent": None, "nav_views": VIEWS}
    from madoguchi.knowledge.actions.access import can_edit
    from madoguchi.knowledge.actions.proposals import pending_count

    from .views.devmail import mail_viewer_enabled
    from .views.notifications import badge as notification_badge
    from .views.saved_views import nav_saved_views

    return {
        "current_agent": agent,
        "nav_views": VIEWS,
        "notification_badge": SimpleLazyObject(lambda: notification_badge(agent)),
        # Saved views: listed without counts (a saved search or tag filter is no cheap count).
        "nav_saved_views": SimpleLazyObject(lambda: nav_saved_views(agent)),
        "mail_viewer_enabled": mail_viewer_enabled(),
        "console_areas": CONSOLE_AREAS,
        "kb_editor": can_edit(agent),
        # Phrasings waiting for a lead: one count query, only for editors and only if shown.
        "kb_pending": SimpleLazyObject(lambda: pending_count(agent)),
    }
