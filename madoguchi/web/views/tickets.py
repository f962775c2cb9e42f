"""The ticket page and what an agent does on it: reply, note, macro, fields, merge, spam."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Agent, Team
from madoguchi.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from madoguchi.knowledge.deflection import shown_for_ticket
from madoguchi.knowledge.learning import record_reply_articles
from madoguchi.knowledge.reply_box import can_use_articles
from madoguchi.tickets.access import get_visible_ticket, visible_tickets
from madoguchi.tickets.actions import (
    do_apply_macro,
    do_mark_spam,
    do_merge_tickets,
    do_reply,
    do_update_ticket,
    render_macro,
)
from madoguchi.tickets.actions.macros import macro_changes, visible_macros
from madoguchi.tickets.actions.replies import NewAttachment
from madoguchi.tickets.models import Macro, Message, Priority, Status, Ticket
from madoguchi.tickets.reading import do_mark_read

from ..forms import MergeTicketForm, ReplyForm, TicketUpdateForm
from ..forms.tickets import split_addresses
from .base import console_view, is_htmx
from .conversation import ticket_context
from .workspace import inbox_querystring, neighbours

MAX_REPLY_FILES = 10
log = logging.getLogger(__name__)


def _update_form(ticket: Ticket, data: Any = None) -> TicketUpdateForm:
    initial = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee_id,
        "team": ticket.team_id,
        "tags": " ".join(t.name for t in ticket.tags.all()),
    }
    return TicketUpdateForm(
        data,
        initial=initial,
        agents=Agent.objects.filter(user__is_active=True).order_by("display_name"),
        teams=Team.objects.order_by("name"),
    )


def _page(
    request: HttpRequest,
    agent: Agent,
    ticket_id: int,
    *,
    status: int = 200,
    error: object = None,
    new_after: int | None = None,
    reply_initial: dict[str, Any] | None = None,
    update_form: TicketUpdateForm | None = None,
    merge_form: MergeTicketForm | None = None,
    mark_read: bool = False,
) -> HttpResponse:
    context = ticket_context(agent, ticket_id, new_after=new_after)
    ticket = context["ticket"]
    if mark_read:
        do_mark_read(agent, ticket)
    initial = {
        "mode": "public",
        "to": context["default_to"] if context["mail_reply"] else "",
        "subject": context["default_subject"],
        **(reply_initial or {}),
    }
    initial["expected_last_message_id"] = context["last_message_id"]
    context.update(
        {
            "nav": neighbours(agent, ticket, inbox_querystring(request)),
            "reply_form": ReplyForm(initial=initial),
            "update_form": update_form or _update_form(ticket),
            "merge_form": merge_form or MergeTicketForm(),
            "error": error,
            "stale": new_after is not None,
            "new_count": sum(1 for e in context["stream"] if e.is_new),
            "max_upload_mb": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024),
            "kb_available": can_use_articles(agent, ticket),
            "shown_articles": shown_for_ticket(ticket),
        }
    )
    return render(request, "web/ticket/page.html", context, status=status)


@require_GET
@console_view
def ticket_page(request: HttpRequest, agent: Agent, ticket_id: int) -> HttpResponse:
    return _page(request, agent, ticket_id, mark_read=True)


def _uploads(request: HttpRequest) -> list[NewAttachment]:
    files = request.FILES.getlist("attachments")
    if len(files) > MAX_REPLY_FILES:
        raise ValidationFailed(
            _("Attach at most %(count)d files.") % {"count": MAX_REPLY_FILES}, code="too_many_files"
        )
    found = []
    for upload in files:
        if (upload.size or 0) > settings.MAX_ATTACHMENT_BYTES:
            raise ValidationFailed(
                _("%(name)s is larger than the attachment limit.") % {"name": upload.name},
                code="attachment_too_large",
            )
        found.append(NewAttachment(upload.name or "file", upload.content_type or "", upload.read()))
    return found


def _macro_for(agent: Agent, ticket_id: int, macro_id: int) -> Macro:
    ticket = get_visible_ticket(agent, ticket_id)
    macro = visible_macros(agent, ticket.brand_id).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("Macro not found."), code="macro_not_found")
    return macro


def _draft(request: HttpRequest) -> dict[str, Any]:
    """What the agent wrote, to put back in the reply box when the send is refused."""
    post = request.POST
    draft: dict[str, Any] = {
        name: post.get(name, "") for name in ("body", "to", "cc", "subject", "set_status")
    }
    draft["mode"] = post.get("mode", "public")
    draft["macro"] = post.get("macro", "")
    draft["kb_articles"] = post.getlist("kb_articles")[:20]
    return draft


@require_POST
@console_view
def reply(request: HttpRequest, agent: Agent, ticket_id: int) -> HttpResponse:
    """Send a public reply or add a note; a stale view (409) shows the news and keeps the draft.

    With a macro picked, the macro action sends it, so its field changes apply with the reply.
    """
    form = ReplyForm(request.POST)
    draft = _draft(request)
    if not form.is_valid():
        return _page(
            request, agent, ticket_id, status=422, error=_("Please check the reply form."),
            reply_initial=draft,
        )  # fmt: skip
    data = form.cleaned_data
    internal = data["mode"] == "internal"
    expected = data["expected_last_message_id"]
    mail = {} if internal else {
        "to": data["to"], "cc": split_addresses(data["cc"]), "subject": data["subject"],
    }  # fmt: skip
    try:
        with transaction.atomic():
            uploads = _uploads(request)
            if data["macro"]:
                if not data["body"].strip() and not uploads:
                    raise ValidationFailed(_("The reply is empty."), code="empty_reply")
                macro = _macro_for(agent, ticket_id, data["macro"])
                message = do_apply_macro(
                    agent, ticket_id, macro.pk, body=data["body"], internal=internal,
                    attachments=uploads, expected_last_message_id=expected,
                    set_status=data["set_status"], **mail,
                )  # fmt: skip
            else:
                message = do_reply(
                    agent, ticket_id, data["body"], internal=internal, attachments=uploads,
                    expected_last_message_id=expected, set_status=data["set_status"], **mail,
                )  # fmt: skip
    except (Forbidden, NotFound):
        raise
    except Conflict as exc:
        if exc.code == "stale_ticket":
            return _page(
                request, agent, ticket_id, status=409, error=exc.message, new_after=expected,
                reply_initial=draft,
            )  # fmt: skip
        return _page(request, agent, ticket_id, status=409, error=exc.message, reply_initial=draft)
    except DomainError as exc:
        return _page(
            request, agent, ticket_id, status=exc.status, error=exc.message, reply_initial=draft
        )
    if not internal and message is not None:
        _record_articles(agent, message, data["kb_articles"])
    messages.success(request, _("Note added.") if internal else _("Reply sent."))
    url = reverse("web:ticket", args=[ticket_id])
    back = request.POST.get("from")
    if back:
        url = f"{url}?{urlencode({'from': back[:1000]})}"
    anchor = f"#message-{message.pk}" if message else ""
    return HttpResponseRedirect(f"{url}{anchor}")


def _record_articles(agent: Agent, message: Message, article_ids: list[int]) -> None:
    """The learning loop, after the reply is committed: a failure here must not turn a sent
    reply into an error page, so it is logged instead."""
    try:
        with transaction.atomic():
            ticket = Ticket.objects.select_related("brand", "customer").get(pk=message.ticket_id)
            record_reply_articles(
                agent=agent, ticket=ticket, message=message, article_ids=article_ids,
                body=message.body_text,
            )  # fmt: skip
    except Exception:
        log.exception("recording the articles of reply %s failed", message.pk)


@require_POST
@console_view
def update(request: HttpRequest, agent: Agent, ticket_id: int) -> HttpResponse:
    """Status, priority, assignee, team and tags from the side panel (htmx or plain POST)."""
    ticket = get_visible_ticket(agent, ticket_id)
    form = _update_form(ticket, request.POST)
    status, error, saved = 200, None, False
    if form.is_valid():
        try:
            do_update_ticket(agent, ticket_id, form.changes())
            saved = True
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            status, error = exc.status, exc.message
    else:
        status = 422
    if saved and not is_htmx(request):
        messages.success(request, _("Ticket updated."))
        return HttpResponseRedirect(reverse("web:ticket", args=[ticket_id]))
    if not is_htmx(request):
        return _page(request, agent, ticket_id, status=status, error=error, update_form=form)
    ticket = Ticket.objects.prefetch_related("tags").get(pk=ticket_id)
    panel_form = _update_form(ticket) if saved else form
    return render(
        request,
        "web/ticket/_properties.html",
        {
            "ticket": ticket,
            "update_form": panel_form,
            "saved": saved,
            "panel_error": error,
            "can_write": True,
        },
        status=status,
    )


@require_POST
@console_view
def merge(request: HttpRequest, agent: Agent, ticket_id: int) -> HttpResponse:
    form = MergeTicketForm(request.POST)
    if not form.is_valid():
        return _page(request, agent, ticket_id, status=422, merge_form=form)
    number = form.cleaned_data["target"]
    target = visible_tickets(agent).filter(number=number).only("pk").first()
    try:
        if target is None:
            raise NotFound(
                _("No ticket #%(number)s that you can see.") % {"number": number},
                code="ticket_not_found",
            )
        merged = do_merge_tickets(agent, ticket_id, target.pk)
    except Forbidden:
        raise
    except DomainError as exc:
        return _page(
            request, agent, ticket_id, status=exc.status, error=exc.message, merge_form=form
        )
    messages.success(request, _("Tickets merged."))
    return HttpResponseRedirect(reverse("web:ticket", args=[merged.pk]))


@require_POST
@console_view
def spam(request: HttpRequest, agent: Agent, ticket_id: int) -> HttpResponse:
    is_spam = request.POST.get("spam") == "1"
    do_mark_spam(agent, ticket_id, spam=is_spam)
    messages.success(request, _("Marked as spam.") if is_spam else _("Marked as not spam."))
    return HttpResponseRedirect(reverse("web:ticket", args=[ticket_id]))


@require_GET
@console_view
def macro_preview(
    request: HttpRequest, agent: Agent, ticket_id: int, macro_id: int
) -> HttpResponse:
    """The macro's text for this ticket, for the reply box (inserted by console.js)."""
    macro = _macro_for(agent, ticket_id, macro_id)
    ticket = Ticket.objects.select_related("customer", "brand").get(pk=ticket_id)
    changes = macro_changes(macro)
    described = []
    if "status" in changes:
        described.append(f"{_('Status')} → {Status(changes['status']).label}")
    if "priority" in changes:
        described.append(f"{_('Priority')} → {Priority(changes['priority']).label}")
    if changes.get("add_tags"):
        described.append(f"{_('Tags')} + {', '.join(changes['add_tags'])}")
    return JsonResponse(
        {
            "id": macro.pk,
            "name": macro.name,
            "text": render_macro(macro, ticket, agent),
            "changes": changes,
            "changes_text": " / ".join(described),
        },
        json_dumps_params={"ensure_ascii": False},
    )
