"""What a live console page re-fetches when the WebSocket says something changed.

The socket carries ids only; the counts come from here, through the same permission-scoped
queries the page used when it was rendered.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent
from madoguchi.automation import queries as notification_queries
from madoguchi.tickets.queries import count_label, view_counts

from .base import console_view


@require_GET
@never_cache
@console_view
def counts(request: HttpRequest, agent: Agent) -> JsonResponse:
    """`/live/counts/`: the side-nav view counts (labels as shown) and the unread badge."""
    views = view_counts(agent)
    unread = notification_queries.unread_count(agent)
    return JsonResponse(
        {
            "views": {name: {"count": n, "label": count_label(n)} for name, n in views.items()},
            "notifications": {"count": unread, "label": notification_queries.count_label(unread)},
        }
    )
