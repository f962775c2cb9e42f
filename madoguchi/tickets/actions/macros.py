"""Macros: render `{{customer.name}}`-style variables and apply field changes with the reply."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import NotFound

from ..access import get_ticket_for_write, get_visible_ticket
from ..models import Macro, Message, Ticket
from .changes import apply_changes, check_changes
from .replies import NewAttachment, do_reply

# `{{group.name}}`: public because the macro editor (macro_admin) checks the same syntax.
VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\.([a-z_]+)\s*\}\}")


def macro_variables(ticket: Ticket, agent: Agent) -> dict[str, dict[str, str]]:
    customer = ticket.customer
    local = timezone.localtime(ticket.created_at)
    return {
        "customer": {
            "name": customer.name or str(_("customer")),
            "name_kana": customer.name_kana,
            "email": next(
                iter(customer.identities.filter(kind="email").values_list("display", flat=True)), ""
            ),
        },
        "ticket": {
            "number": f"#{ticket.number}",
            "subject": ticket.subject,
            "status": str(ticket.get_status_display()),
            "created": local.strftime("%Y-%m-%d %H:%M"),
        },
        "agent": {"name": agent.display_name},
        "brand": {"name": ticket.brand.name},
    }


def render_macro(macro: Macro, ticket: Ticket, agent: Agent) -> str:
    """The macro's text with variables filled in; unknown variables stay visible as written."""
    values = macro_variables(ticket, agent)

    def fill(match: re.Match[str]) -> str:
        return values.get(match.group(1), {}).get(match.group(2), match.group(0))

    return VARIABLE.sub(fill, macro.body)


def macro_changes(macro: Macro) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if macro.set_status:
        changes["status"] = macro.set_status
    if macro.set_priority:
        changes["priority"] = macro.set_priority
    if macro.add_tags:
        changes["add_tags"] = list(macro.add_tags)
    return changes


def visible_macros(agent: Agent, brand_id: int | None = None):  # type: ignore[no-untyped-def]
    from django.db.models import Q

    qs = Macro.objects.filter(Q(owner__isnull=True) | Q(owner=agent))
    if brand_id:
        qs = qs.filter(Q(brand__isnull=True) | Q(brand_id=brand_id))
    return qs


@transaction.atomic
def do_apply_macro(
    agent: Agent,
    ticket_id: int,
    macro_id: int,
    *,
    send: bool = True,
    body: str | None = None,
    internal: bool = False,
    expected_last_message_id: int | None = None,
    attachments: list[NewAttachment] | None = None,
    set_status: str = "",
    subject: str = "",
    to: str = "",
    cc: list[str] | None = None,
) -> Message | None:
    """Reply with the rendered macro (or the agent's edit of it) and apply its field changes.

    The console sends through here when a macro was picked: the same stale-ticket guard and
    attachments as a plain reply, and the agent's own status choice wins over the macro's.
    """
    require(agent, Capability.WRITE)
    ticket = get_visible_ticket(agent, ticket_id)
    macro = visible_macros(agent, ticket.brand_id).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("Macro not found."), code="macro_not_found")
    changes = macro_changes(macro)
    if set_status:
        changes["status"] = set_status
    changes = check_changes(changes)
    message = None
    text = body if body is not None else render_macro(macro, ticket, agent)
    if send and (text.strip() or attachments):
        message = do_reply(
            agent,
            ticket.pk,
            text,
            internal=internal,
            attachments=attachments,
            expected_last_message_id=expected_last_message_id,
            set_status=changes.pop("status", ""),
            subject=subject,
            to=to,
            cc=cc,
        )
    if changes:
        apply_changes(agent, get_ticket_for_write(agent, ticket.pk), changes)
    Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
    return message
