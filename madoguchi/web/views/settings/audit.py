"""The audit log: newest first, keyset pages, filter by actor and action, what changed."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent, AuditEntry
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import ValidationFailed
from madoguchi.tickets.queries import decode_cursor, pack_cursor

from ..base import console_view

NAV = "settings_audit"
PAGE_SIZE = 50

FAMILIES = {
    "agent": gettext_lazy("Agents"),
    "team": gettext_lazy("Teams"),
    "brand": gettext_lazy("Brands"),
    "inbox": gettext_lazy("Inboxes"),
    "macro": gettext_lazy("Macros"),
    "tag": gettext_lazy("Tags"),
    "token": gettext_lazy("API tokens"),
    "raw_mail": gettext_lazy("Received mail"),
}

ACTIONS = {
    "agent.create": gettext_lazy("Agent created"),
    "agent.update": gettext_lazy("Agent changed"),
    "agent.deactivate": gettext_lazy("Agent deactivated"),
    "agent.reactivate": gettext_lazy("Agent reactivated"),
    "agent.password": gettext_lazy("Password set by an admin"),
    "agent.inboxes": gettext_lazy("Inbox access changed"),
    "team.create": gettext_lazy("Team created"),
    "team.rename": gettext_lazy("Team renamed"),
    "team.delete": gettext_lazy("Team deleted"),
    "brand.create": gettext_lazy("Brand created"),
    "brand.update": gettext_lazy("Brand changed"),
    "brand.delete": gettext_lazy("Brand deleted"),
    "inbox.create": gettext_lazy("Inbox created"),
    "inbox.update": gettext_lazy("Inbox changed"),
    "inbox.connection_test": gettext_lazy("Mail server connection tested"),
    "raw_mail.reprocess": gettext_lazy("Received mail processed again"),
    "macro.create": gettext_lazy("Macro created"),
    "macro.update": gettext_lazy("Macro changed"),
    "macro.delete": gettext_lazy("Macro deleted"),
    "tag.rename": gettext_lazy("Tag renamed"),
    "tag.merge": gettext_lazy("Tags merged"),
    "tag.delete": gettext_lazy("Tag deleted"),
    "token.create": gettext_lazy("API token created"),
    "token.revoke": gettext_lazy("API token revoked"),
}


FIELD_LABELS = {
    "display_name": gettext_lazy("Display name"),
    "email": gettext_lazy("Email"),
    "role": gettext_lazy("Role"),
    "teams": gettext_lazy("Teams"),
    "language": gettext_lazy("Language"),
    "time_zone": gettext_lazy("Time zone"),
    "signature": gettext_lazy("Email signature"),
    "active": gettext_lazy("Active"),
    "inboxes": gettext_lazy("Inboxes"),
    "name": gettext_lazy("Name"),
    "slug": gettext_lazy("Slug"),
    "support_email": gettext_lazy("Support email"),
    "default_language": gettext_lazy("Default language"),
    "brand": gettext_lazy("Brand"),
    "default_team": gettext_lazy("Default team"),
    "address": gettext_lazy("Address"),
    "granted_agents": gettext_lazy("Granted agents"),
    "body": gettext_lazy("Reply text"),
    "set_status": gettext_lazy("Set status"),
    "set_priority": gettext_lazy("Set priority"),
    "add_tags": gettext_lazy("Add tags"),
    "shared": gettext_lazy("Shared"),
}

SECRET_STATES = {
    "set": gettext_lazy("set"),
    "not set": gettext_lazy("not set"),
    "replaced": gettext_lazy("replaced"),
    "removed": gettext_lazy("removed"),
}


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def describe(entry: AuditEntry) -> dict[str, Any]:
    """An entry as the page shows it: label, and rows of (field, old, new) or (key, value)."""
    data = entry.data if isinstance(entry.data, dict) else {"value": entry.data}
    raw_changes = data.get("changes")
    changes: dict[str, Any] = raw_changes if isinstance(raw_changes, dict) else {}
    rows = []
    for field, pair in changes.items():
        if field == "secrets" and isinstance(pair, dict):
            for key, (old, new) in pair.items():
                rows.append(
                    {
                        "field": key,
                        "old": SECRET_STATES.get(old, old),
                        "new": SECRET_STATES.get(new, new),
                    }
                )
            continue
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else ("", pair)
        rows.append({"field": FIELD_LABELS.get(field, field), "old": _text(old), "new": _text(new)})
    facts = [
        {"field": FIELD_LABELS.get(k, k), "value": _text(v)}
        for k, v in data.items()
        if k != "changes"
    ]
    return {
        "entry": entry,
        "label": ACTIONS.get(entry.action, entry.action),
        "changes": rows,
        "facts": facts,
    }


@require_GET
@console_view
def audit_log(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    qs = AuditEntry.objects.select_related("actor").order_by("-created_at", "-id")
    actor = request.GET.get("actor", "")
    if actor:
        if not actor.isdigit():
            raise ValidationFailed(_("Unknown agent."), code="invalid_actor")
        qs = qs.filter(actor_id=int(actor))
    action = request.GET.get("action", "")
    if action in ACTIONS:
        qs = qs.filter(action=action)
    elif action in FAMILIES:
        qs = qs.filter(action__startswith=f"{action}.")
    elif action:
        raise ValidationFailed(_("Unknown action."), code="invalid_action")
    cursor = request.GET.get("cursor", "")
    if cursor:
        when, pk = decode_cursor(cursor)
        # The plain range bounds the index walk; PostgreSQL cannot bound one with the OR.
        qs = qs.filter(created_at__lte=when).filter(
            Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk)
        )
    entries = list(qs[: PAGE_SIZE + 1])
    last = entries[PAGE_SIZE - 1] if len(entries) > PAGE_SIZE else None
    next_cursor = pack_cursor([last.created_at.isoformat(), last.pk]) if last else ""
    context = {
        "rows": [describe(e) for e in entries[:PAGE_SIZE]],
        "next_cursor": next_cursor,
        "is_first_page": not cursor,
        "actor": actor,
        "action": action,
        "actors": Agent.objects.order_by("display_name").values_list("pk", "display_name"),
        "families": list(FAMILIES.items()),
        "actions": list(ACTIONS.items()),
        "nav_active": NAV,
    }
    return render(request, "web/settings/audit.html", context)
