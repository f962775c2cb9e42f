"""The inbox: standard views with counts, filters, search and keyset pagination."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from madoguchi.accounts.models import Agent, Brand, Team
from madoguchi.core.errors import DomainError
from madoguchi.tickets.queries import VIEWS, TicketFilter, ticket_page

from ..forms import InboxFilterForm
from .base import console_view, is_htmx, working_inboxes

PAGE_SIZE = 50
DEFAULT_VIEW = "unsolved"
FILTER_SELECTS = ("inbox", "brand", "channel", "assignee", "team", "priority")


def _filter_form(request: HttpRequest, agent: Agent) -> InboxFilterForm:
    inboxes = working_inboxes(agent, active_only=False)
    data = request.GET.copy()
    # The filter form always sends every field; an empty status select means "any".
    data.setlist("status", [s for s in data.getlist("status") if s])
    if "view" not in data:
        data["view"] = DEFAULT_VIEW
    return InboxFilterForm(
        data,
        inboxes=inboxes,
        brands=Brand.objects.order_by("name"),
        agents=Agent.objects.filter(user__is_active=True).order_by("display_name"),
        teams=Team.objects.order_by("name"),
    )


def _ticket_filter(agent: Agent, data: dict) -> TicketFilter:
    assignee = data.get("assignee") or ""
    return TicketFilter(
        view=data.get("view") or "",
        status=list(data.get("status") or []),
        inbox_id=data.get("inbox"),
        brand_id=data.get("brand"),
        assignee_id=agent.pk
        if assignee == "me"
        else (int(assignee) if assignee.isdigit() else None),
        unassigned=assignee == "none",
        team_id=data.get("team"),
        tag=(data.get("tag") or "").strip(),
        priority=data.get("priority") or "",
        channel=data.get("channel") or "",
        customer_id=data.get("customer"),
        q=data.get("q") or "",
    )


@console_view
def inbox(request: HttpRequest, agent: Agent) -> HttpResponse:
    """`/`: one indexed query per page; filters are GET parameters so every view is a link."""
    form = _filter_form(request, agent)
    page = None
    error = None
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            page = ticket_page(
                agent,
                _ticket_filter(agent, data),
                order=data["order"],
                cursor=data.get("cursor") or "",
                limit=PAGE_SIZE,
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
    else:
        status = 422
    current_view = form.data.get("view", "")
    filtered = any(
        form.data.get(name)
        for name in ("q", "status", "inbox", "brand", "channel", "assignee", "team", "tag",
                     "priority", "customer")
    )  # fmt: skip
    context = {
        "form": form,
        "page": page,
        "error": error,
        "views": VIEWS,
        "current_view": current_view if current_view in VIEWS else "",
        "view_title": VIEWS.get(current_view) if current_view in VIEWS else None,
        "filtered": filtered,
        "first_page": not form.data.get("cursor"),
        "status_selected": request.GET.getlist("status"),
        "filter_selects": FILTER_SELECTS,
        "nav_active": current_view if current_view in VIEWS else "all",
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "inbox-results":
        return render(request, "web/inbox/_results.html", context, status=status)
    return render(request, "web/inbox/page.html", context, status=status)
