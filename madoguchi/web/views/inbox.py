"""The inbox: standard and saved views, filters, sort orders, search, keyset pages, unread
markers and bulk actions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent, Brand, Team
from madoguchi.accounts.permissions import Capability, can
from madoguchi.core.errors import DomainError
from madoguchi.tickets.actions import do_bulk_merge, do_bulk_update
from madoguchi.tickets.actions.saved_views import can_edit
from madoguchi.tickets.models import Tag
from madoguchi.tickets.queries import (
    VIEWS,
    TicketFilter,
    count_label,
    saved_views_for,
    ticket_page,
    view_counts,
)
from madoguchi.tickets.reading import unread_ids

from ..forms.inbox import BulkForm, InboxFilterForm, SaveViewForm
from .base import console_view, is_htmx, working_inboxes

PAGE_SIZE = 50
DEFAULT_VIEW = "unsolved"
FILTER_SELECTS = ("inbox", "brand", "channel", "assignee", "team", "priority")
FILTER_NAMES = (
    "q", "status", "inbox", "brand", "channel", "assignee", "team", "tag", "priority",
    "customer", "created_from", "created_to",
)  # fmt: skip
TAG_SUGGESTIONS = 200


def _agents() -> Any:
    return (
        Agent.objects.filter(user__is_active=True)
        .order_by("display_name")
        .only("id", "display_name")
    )


def filter_form(params: QueryDict, agent: Agent) -> InboxFilterForm:
    data = params.copy()
    # The filter form always sends every field; an empty status select means "any".
    data.setlist("status", [s for s in data.getlist("status") if s])
    if "view" not in data:
        data["view"] = DEFAULT_VIEW
    # Choices need ids and names only: full inbox rows would decrypt every inbox's credentials.
    return InboxFilterForm(
        data,
        inboxes=working_inboxes(agent, active_only=False).select_related(None).only("id", "name"),
        brands=Brand.objects.order_by("name").only("id", "name"),
        agents=_agents(),
        teams=Team.objects.order_by("name").only("id", "name"),
    )


def _day_start(day: date | None, *, next_day: bool = False) -> datetime | None:
    """A date in the console's time zone as the aware instant its day starts (or ends)."""
    if day is None:
        return None
    if next_day:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))


def ticket_filter(agent: Agent, data: dict[str, Any]) -> TicketFilter:
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
        created_from=_day_start(data.get("created_from")),
        created_to=_day_start(data.get("created_to"), next_day=True),
        q=data.get("q") or "",
    )


def saveable_query(params: QueryDict) -> str:
    """The current list as a query string: what “Save this view” keeps (no page position)."""
    data = params.copy()
    for name in ("cursor", "saved"):
        data.pop(name, None)
    for name in list(data):
        values = [v for v in data.getlist(name) if v.strip()]
        if values:
            data.setlist(name, values)
        elif name != "view":
            data.pop(name)
    if "view" not in data:
        data["view"] = DEFAULT_VIEW
    return data.urlencode()


# What a row shows (web/templatetags/inbox_rows.py); ticket_page adds the sort keys.
LIST_COLUMNS = (
    "number",
    "subject",
    "status",
    "priority",
    "channel",
    "preview",
    "is_spam",
    "customer__name",
    "inbox__name",
    "assignee__display_name",
)


def results_context(agent: Agent, params: QueryDict) -> tuple[dict[str, Any], int]:
    """What `_results.html` needs for these GET parameters: one indexed query for the page,
    one for unread markers, one for the rows' tags, whatever the page length."""
    form = filter_form(params, agent)
    page = None
    error = None
    status = 200
    unread: set[int] = set()
    if form.is_valid():
        data = form.cleaned_data
        try:
            page = ticket_page(
                agent,
                ticket_filter(agent, data),
                order=data["order"],
                cursor=data.get("cursor") or "",
                limit=PAGE_SIZE,
                columns=LIST_COLUMNS,
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
        if page is not None and page.items:
            unread = unread_ids(agent, page.items)
            prefetch_related_objects(page.items, "tags")
    else:
        status = 422
    current_view = form.data.get("view", "")
    context = {
        "form": form,
        "page": page,
        "error": error,
        "unread": unread,
        "filtered": any(form.data.get(name) for name in FILTER_NAMES),
        "first_page": not form.data.get("cursor"),
        "current_view": current_view if current_view in VIEWS else "",
        "saveable_query": saveable_query(params),
        "params": params,
        "can_merge": can(agent, Capability.MERGE_TICKETS),
        "can_write": can(agent, Capability.WRITE),
    }
    return context, status


@console_view
def inbox(request: HttpRequest, agent: Agent) -> HttpResponse:
    """`/`: filters are GET parameters, so every view (saved ones too) is a link."""
    context, status = results_context(agent, request.GET)
    if is_htmx(request) and request.headers.get("HX-Target") == "inbox-results":
        return render(request, "web/inbox/_results.html", context, status=status)
    form = context["form"]
    current_view = context["current_view"]
    saved = None
    title: object = None
    if form.is_valid() and form.cleaned_data.get("saved"):
        saved = saved_views_for(agent).filter(pk=form.cleaned_data["saved"]).first()
    if saved is not None:
        title, nav_active = saved.name, f"saved-{saved.pk}"
    else:
        title = VIEWS.get(current_view) if current_view else None
        nav_active = current_view or "all"
    context.update(
        {
            "views": VIEWS,
            "view_title": title,
            "saved_view": saved,
            "saved_editable": saved is not None and can_edit(agent, saved),
            "status_selected": request.GET.getlist("status"),
            "filter_selects": FILTER_SELECTS,
            "nav_active": nav_active,
            "tag_names": list(
                Tag.objects.order_by("name").values_list("name", flat=True)[:TAG_SUGGESTIONS]
            ),
            "save_form": SaveViewForm(),
            "can_share": can(agent, Capability.MANAGE_SETTINGS),
            "bulk_form": BulkForm(
                QueryDict(), agents=_agents(), teams=Team.objects.order_by("name")
            ),
        }
    )
    return render(request, "web/inbox/page.html", context, status=status)


def _bulk_changes(form: BulkForm) -> dict[str, Any]:
    data = form.cleaned_data
    action = data["action"]
    if action == "assign":
        changes: dict[str, Any] = {}
        for name in ("assignee", "team"):
            value = data.get(name) or ""
            if value:
                changes[f"{name}_id"] = None if value == "none" else int(value)
        if not changes:
            form.add_error("assignee", _("Choose an agent or a team."))
        return changes
    if action == "status":
        if not data.get("status"):
            form.add_error("status", _("Choose a status."))
        return {"status": data.get("status")}
    tag = (data.get("tag") or "").strip()
    if not tag:
        form.add_error("tag", _("Enter a tag."))
    return {"add_tags": [tag]}


@require_POST
@console_view
def bulk(request: HttpRequest, agent: Agent) -> HttpResponse:
    """The bulk bar: one action on up to 100 selected tickets, all or none."""
    form = BulkForm(request.POST, agents=_agents(), teams=Team.objects.order_by("name"))
    query = QueryDict(request.POST.get("query", ""))
    message = ""
    error = ""
    status = 200
    if form.is_valid():
        ids = sorted(set(form.cleaned_data["tickets"]))
        changes = None if form.cleaned_data["action"] == "merge" else _bulk_changes(form)
        if form.is_valid():
            try:
                if changes is None:
                    target = do_bulk_merge(agent, ids, form.cleaned_data.get("target"))
                    message = ngettext(
                        "Merged %(count)d ticket into #%(number)s.",
                        "Merged %(count)d tickets into #%(number)s.",
                        len(ids) - 1,
                    ) % {"count": len(ids) - 1, "number": target.number}
                else:
                    do_bulk_update(agent, ids, changes)
                    message = ngettext(
                        "Updated %(count)d ticket.", "Updated %(count)d tickets.", len(ids)
                    ) % {"count": len(ids)}
            except DomainError as exc:
                error, status = str(exc.message), exc.status
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        status = 422
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(reverse("web:inbox") + "?" + query.urlencode())
    context, _list_status = results_context(agent, query)
    if error:
        context["error"] = error
    counts = {name: count_label(n) for name, n in view_counts(agent).items()}
    context.update({"flash": message, "counts": counts, "bulk_error": bool(error)})
    return render(request, "web/inbox/_bulk_done.html", context, status=status)
