"""Saved inbox views: personal to their owner, or shared with every agent by a lead or admin.

A saved view stores the inbox's GET parameters (`filters`), so opening it is following a link
and the inbox validates the values the same way it validates any request.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can, require
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from ..models import Priority, SavedView, Status
from ..queries import ORDERS, VIEWS, saved_views_for

# The inbox parameters a view may keep; `cursor` (a position in one list) is deliberately not.
FILTER_KEYS = frozenset(
    {
        "view", "q", "status", "inbox", "brand", "channel", "assignee", "team", "tag",
        "priority", "customer", "order", "created_from", "created_to",
    }
)  # fmt: skip
MAX_NAME = 80
MAX_VALUE = 200
MAX_VIEWS_PER_AGENT = 100


def can_edit(agent: Agent, view: SavedView) -> bool:
    """Own personal views are the owner's; shared ones belong to the leads and admins."""
    if view.shared:
        return can(agent, Capability.MANAGE_SETTINGS)
    return view.owner_id == agent.pk


def _bad_filter(key: str) -> ValidationFailed:
    return ValidationFailed(
        _("The filter “%(name)s” has a value that is not valid.") % {"name": key},
        code="invalid_filters",
        details=[key],
    )


# Filters whose values must be one of a known set (the others are checked when the inbox runs).
_CHOICES = {"view": VIEWS, "order": ORDERS, "priority": Priority.values, "status": Status.values}


def check_filters(filters: Any) -> dict[str, Any]:
    """Known keys only, text values (a list for status), known names; empty values dropped."""
    if not isinstance(filters, dict):
        raise ValidationFailed(_("Filters must be an object."), code="invalid_filters")
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        raise ValidationFailed(
            _("Unknown filters: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))},
            code="unknown_filters",
            details=sorted(map(str, unknown)),
        )
    clean: dict[str, Any] = {}
    for key in sorted(filters):
        value = filters[key]
        values = value if key == "status" and isinstance(value, list) else [value]
        if not all(isinstance(v, str) and len(v) <= MAX_VALUE for v in values):
            raise _bad_filter(key)
        values = [v.strip() for v in values if v.strip()]
        if key in _CHOICES and any(v not in _CHOICES[key] for v in values):
            raise _bad_filter(key)
        if values:
            clean[key] = values if key == "status" else values[0]
    # The "all tickets" view is an empty `view`; keep it so the link opens that view.
    if "view" not in clean:
        clean["view"] = ""
    return clean


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed(_("Give the view a name."), code="name_required")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            _("The name can be at most %(n)d characters.") % {"n": MAX_NAME}, code="name_too_long"
        )
    return name


def _save(view: SavedView) -> None:
    """Save; the unique (owner, name) constraint is the one check for a name in use."""
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError as exc:
        raise Conflict(
            _("You already have a view called “%(name)s”.") % {"name": view.name},
            code="name_taken",
        ) from exc


def _audit(agent: Agent, action: str, view: SavedView, **data: Any) -> None:
    record_audit(
        agent,
        f"saved_view.{action}",
        "saved_view",
        view.pk,
        {"name": view.name, "shared": view.shared, **data},
    )


def get_editable_view(agent: Agent, view_id: int) -> SavedView:
    """The view if the agent may change it; views they cannot even see do not exist."""
    view = saved_views_for(agent).filter(pk=view_id).select_for_update().first()
    if view is None:
        raise NotFound(_("Saved view not found."), code="saved_view_not_found")
    if not can_edit(agent, view):
        raise Forbidden(_("Only leads and admins can change shared views."), code="forbidden")
    return view


@transaction.atomic
def do_create_saved_view(
    agent: Agent, name: Any, filters: Any, *, shared: bool = False
) -> SavedView:
    """Save the inbox's current filters under a name; at the end of the agent's list."""
    if shared:
        require(agent, Capability.MANAGE_SETTINGS)
    name = check_name(name)
    clean = check_filters(filters)
    if SavedView.objects.filter(owner=agent).count() >= MAX_VIEWS_PER_AGENT:
        raise ValidationFailed(
            _("You can keep at most %(n)d saved views.") % {"n": MAX_VIEWS_PER_AGENT},
            code="too_many_views",
        )
    last = saved_views_for(agent).aggregate(last=Max("position"))["last"]
    view = SavedView(
        owner=agent,
        name=name,
        shared=shared,
        filters=clean,
        position=0 if last is None else last + 1,
    )
    _save(view)
    if shared:
        _audit(agent, "create", view, filters=clean)
    return view


@transaction.atomic
def do_update_saved_view(
    agent: Agent,
    view_id: int,
    *,
    name: Any = None,
    shared: bool | None = None,
    filters: Any = None,
) -> SavedView:
    """Rename, share or unshare, or replace the filters; changes to shared views are audited."""
    view = get_editable_view(agent, view_id)
    before = {"name": view.name, "shared": view.shared, "filters": view.filters}
    if shared is not None and shared != view.shared:
        require(agent, Capability.MANAGE_SETTINGS)
        view.shared = shared
    if name is not None:
        view.name = check_name(name)
    if filters is not None:
        view.filters = check_filters(filters)
    _save(view)
    if before["shared"] or view.shared:
        changed = {k: v for k, v in before.items() if getattr(view, k) != v}
        if changed:
            _audit(agent, "update", view, before=changed)
    return view


@transaction.atomic
def do_delete_saved_view(agent: Agent, view_id: int) -> None:
    view = get_editable_view(agent, view_id)
    if view.shared:
        _audit(agent, "delete", view, filters=view.filters)
    view.delete()


@transaction.atomic
def do_move_saved_view(agent: Agent, view_id: int, direction: str) -> None:
    """Move a view one place up or down among the views the agent may change."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Move a view up or down."), code="invalid_direction")
    view = get_editable_view(agent, view_id)
    mine = [v for v in saved_views_for(agent).select_for_update() if can_edit(agent, v)]
    index = next(i for i, v in enumerate(mine) if v.pk == view.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(mine):
        mine[index], mine[other] = mine[other], mine[index]
    for position, item in enumerate(mine):
        if item.position != position:
            SavedView.objects.filter(pk=item.pk).update(position=position)
