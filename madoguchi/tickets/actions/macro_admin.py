"""Macro settings: create, edit, delete, and the live preview of variables.

Shared macros (no owner) are settings: leads and admins manage them. Personal macros belong
to their owner; nobody else sees or edits them. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.agent_admin import changed
from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent, Brand
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import NotFound, ValidationFailed

from ..access import get_visible_ticket
from ..models import Macro, Status
from .changes import check_changes
from .macros import VARIABLE, render_macro


def _fail(message: object, field: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"field": field})  # type: ignore[arg-type]


def sample_variables(agent: Agent) -> dict[str, dict[str, str]]:
    """The values a preview shows before a ticket is chosen (same keys as macro_variables)."""
    return {
        "customer": {
            "name": str(_("Taro Yamada")),
            "name_kana": "ヤマダ タロウ",
            "email": "taro@example.jp",
        },
        "ticket": {
            "number": "#10234",
            "subject": str(_("Where is my order?")),
            "status": str(Status.OPEN.label),
            "created": "2026-05-01 10:30",
        },
        "agent": {"name": agent.display_name},
        "brand": {
            "name": Brand.objects.order_by("name").values_list("name", flat=True).first()
            or str(_("Your shop"))
        },
    }


def unknown_variables(body: str, agent: Agent) -> list[str]:
    known = sample_variables(agent)
    return sorted(
        {
            m.group(0)
            for m in VARIABLE.finditer(body or "")
            if m.group(2) not in known.get(m.group(1), {})
        }
    )


def preview_macro(agent: Agent, body: str, ticket_id: int | None = None) -> str:
    """The body with variables filled from a ticket the agent may see, or from the sample."""
    macro = Macro(body=body or "")
    if ticket_id is not None:
        return render_macro(macro, get_visible_ticket(agent, ticket_id), agent)
    values = sample_variables(agent)
    return VARIABLE.sub(
        lambda m: values.get(m.group(1), {}).get(m.group(2), m.group(0)), macro.body
    )


def macros_for_settings(agent: Agent) -> QuerySet[Macro]:
    """Shared macros and the agent's own personal ones."""
    return Macro.objects.filter(Q(owner__isnull=True) | Q(owner=agent)).select_related(
        "brand", "owner"
    )


def _clean(
    agent: Agent,
    *,
    name: str,
    brand_id: int | None,
    body: str,
    set_status: str,
    set_priority: str,
    add_tags: Iterable[str],
    shared: bool,
    exclude: int | None = None,
) -> dict[str, Any]:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise _fail(_("Enter a name (up to 120 characters)."), "name", "invalid_name")
    brand = None
    if brand_id:
        brand = Brand.objects.filter(pk=brand_id).first()
        if brand is None:
            raise _fail(_("No such brand."), "brand", "invalid_brand")
    body = body or ""
    if len(body) > 20000:
        raise _fail(_("The reply text is too long."), "body", "invalid_body")
    unknown = unknown_variables(body, agent)
    if unknown:
        raise _fail(
            _("Unknown variables: %(names)s") % {"names": ", ".join(unknown)}, "body", "variables"
        )
    wanted: dict[str, Any] = {"add_tags": list(add_tags)}
    if set_status:
        wanted["status"] = set_status
    if set_priority:
        wanted["priority"] = set_priority
    try:
        checked = check_changes(wanted)
    except ValidationFailed as exc:
        field = {"invalid_status": "set_status", "invalid_priority": "set_priority"}
        raise _fail(exc.message, field.get(exc.code, "add_tags"), exc.code) from exc
    # One name per brand (the database enforces it for brand macros; "all brands" too here).
    clash = Macro.objects.filter(name=name, brand=brand)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise _fail(_("A macro with this name exists for this brand."), "name", "name_taken")
    return {
        "name": name,
        "brand": brand,
        "body": body,
        "set_status": set_status or "",
        "set_priority": set_priority or "",
        "add_tags": checked["add_tags"],
        "owner": None if shared else agent,
    }


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    brand = values.get("brand")
    owner = values.get("owner")
    return {
        "name": values["name"],
        "brand": brand.name if brand else "",
        "body": values["body"],
        "set_status": values["set_status"],
        "set_priority": values["set_priority"],
        "add_tags": list(values["add_tags"]),
        "shared": owner is None,
    }


@transaction.atomic
def do_create_macro(actor: Agent, **fields: Any) -> Macro:
    """fields: name, brand_id, body, set_status, set_priority, add_tags, shared."""
    require(actor, Capability.MANAGE_SETTINGS)
    values = _clean(actor, **fields)
    macro = Macro.objects.create(**values)
    record_audit(actor, "macro.create", "macro", macro.pk, _snapshot(values))
    return macro


def _own_or_shared(actor: Agent, macro_id: int) -> Macro:
    macro = (
        Macro.objects.select_for_update()
        .filter(Q(owner__isnull=True) | Q(owner=actor), pk=macro_id)
        .first()
    )
    if macro is None:
        raise NotFound(_("Macro not found."), code="macro_not_found")
    return macro


@transaction.atomic
def do_update_macro(actor: Agent, macro_id: int, **fields: Any) -> Macro:
    require(actor, Capability.MANAGE_SETTINGS)
    macro = _own_or_shared(actor, macro_id)
    before = _snapshot(
        {
            f: getattr(macro, f)
            for f in ("name", "brand", "body", "set_status", "set_priority", "add_tags", "owner")
        }
    )
    values = _clean(actor, exclude=macro.pk, **fields)
    for key, value in values.items():
        setattr(macro, key, value)
    macro.save()
    diff = changed(before, _snapshot(values))
    if diff:
        record_audit(actor, "macro.update", "macro", macro.pk, {"changes": diff})
    return macro


@transaction.atomic
def do_delete_macro(actor: Agent, macro_id: int) -> None:
    require(actor, Capability.MANAGE_SETTINGS)
    macro = _own_or_shared(actor, macro_id)
    record_audit(actor, "macro.delete", "macro", macro.pk, {"name": macro.name})
    macro.delete()


__all__ = [
    "do_create_macro",
    "do_delete_macro",
    "do_update_macro",
    "macros_for_settings",
    "preview_macro",
    "sample_variables",
    "unknown_variables",
]
