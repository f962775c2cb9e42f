"""The agent's notifications page, the bell's count, and marking notifications read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Agent
from madoguchi.automation.notifications import (
    do_mark_all_read,
    do_mark_read,
    do_open,
    do_set_email_notifications,
)
from madoguchi.automation.queries import count_label, notification_page, unread_count
from madoguchi.core.errors import ValidationFailed

from .base import console_view, is_htmx, safe_next


def badge(agent: Agent) -> dict[str, Any]:
    """The bell's count for every console page (web.context, queried only when rendered)."""
    count = unread_count(agent)
    label = count_label(count)
    return {
        "count": count,
        "label": label,
        "aria_label": _("Unread notifications: %(count)s") % {"count": label},
    }


def _before(request: HttpRequest) -> int | None:
    raw = request.GET.get("before", "")
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**62:
        raise ValidationFailed(_("Invalid page."), code="invalid_cursor")
    return int(raw)


@require_GET
@console_view
def notification_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = notification_page(agent, before=_before(request), unread_only=unread_only)
    return render(
        request,
        "web/notifications/list.html",
        {
            "page": page,
            "unread_only": unread_only,
            "email_address": agent.user.email,
            "nav_active": "notifications",
        },
    )


@require_GET
@console_view
def count(request: HttpRequest, agent: Agent) -> HttpResponse:
    """The bell's count as JSON, for a tab that comes back into view."""
    response = JsonResponse(badge(agent))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@console_view
def open_notification(request: HttpRequest, agent: Agent, notification_id: int) -> HttpResponse:
    """Following a notification marks it read and lands on its ticket."""
    notification = do_open(agent, notification_id)
    return HttpResponseRedirect(reverse("web:ticket", args=[notification.ticket_id]))


@require_POST
@console_view
def mark_read(request: HttpRequest, agent: Agent) -> HttpResponse:
    do_mark_read(agent, request.POST.getlist("id"))
    if is_htmx(request):
        return HttpResponse(status=204)
    return HttpResponseRedirect(safe_next(request, reverse("web:notifications")))


@require_POST
@console_view
def mark_all_read(request: HttpRequest, agent: Agent) -> HttpResponse:
    done = do_mark_all_read(agent)
    if done:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                done,
            )
            % {"count": done},
        )
    return HttpResponseRedirect(safe_next(request, reverse("web:notifications")))


@require_POST
@console_view
def email_preference(request: HttpRequest, agent: Agent) -> HttpResponse:
    values = request.POST.getlist("email_notifications")
    if not values or any(v not in ("0", "1") for v in values):
        raise ValidationFailed(_("Choose on or off."), code="invalid_choice")
    enabled = "1" in values
    do_set_email_notifications(agent, enabled)
    messages.success(
        request,
        _("Email notifications are on.") if enabled else _("Email notifications are off."),
    )
    return HttpResponseRedirect(reverse("web:notifications"))
