"""The original of an email message: every header, the whole text (quoted part included) and
the HTML part, sanitised, in a sandboxed frame. For every agent who may see the ticket."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can
from madoguchi.core.errors import NotFound
from madoguchi.inboxes.models import RawMail
from madoguchi.lib.html import sanitise
from madoguchi.tickets.access import get_visible_ticket

from .base import console_view

MAX_HEADERS = 300


def _headers(message: Any) -> list[tuple[str, str]]:
    """(name, decoded value) in mail order; raw 8-bit and JIS headers decoded like the parser."""
    from madoguchi.lib.mail.decoding import decode_header_value

    out = []
    for name, value in list(message.raw_items())[:MAX_HEADERS]:
        try:
            text = decode_header_value(str(value))
        except (LookupError, ValueError):
            text = str(value).encode("utf-8", "replace").decode("utf-8")
        out.append((str(name), " ".join(text.split())))
    return out


@require_GET
@console_view
def original_mail(
    request: HttpRequest, agent: Agent, ticket_id: int, message_id: int
) -> HttpResponse:
    ticket = get_visible_ticket(agent, ticket_id)  # 404 outside the agent's inboxes
    raw_mail = (
        RawMail.objects.filter(message_id=message_id, message__ticket_id=ticket.pk)
        .order_by("-id")
        .first()
    )
    if raw_mail is None:
        raise NotFound(_("The original of this message is not kept."), code="original_not_found")
    # The mail stack loads with the first original shown, not with every console page.
    from madoguchi.connectors.email.inbound import raw_bytes
    from madoguchi.lib.mail.parsing import parse_mail
    from madoguchi.lib.mail.types import MailParseError

    data = raw_bytes(raw_mail)
    context: dict[str, Any] = {
        "ticket": ticket,
        "raw_mail": raw_mail,
        "message_id": message_id,
        "can_download": can(agent, Capability.MANAGE_SETTINGS),
    }
    try:
        parsed = parse_mail(data)
    except MailParseError as exc:
        context["parse_error"] = str(exc)
        context["raw_text"] = data[:200_000].decode("utf-8", "replace")
    else:
        context.update(
            {
                "parsed": parsed,
                "headers": _headers(parsed.message),
                "html": sanitise(parsed.html) if parsed.html else "",
            }
        )
    return render(request, "web/ticket/original_mail.html", context)
