"""The outbox: replies still on their way, and dead letters an agent can send again."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can
from madoguchi.inboxes.delivery import do_retry_dead_letter
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.tickets.access import scope_q

from .base import console_view, safe_next

PAGE_SIZE = 100
UNSENT = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.RETRYING, OutboxState.DEAD)


@require_GET
@console_view
def outbox(request: HttpRequest, agent: Agent) -> HttpResponse:
    """Unsent rows of tickets the agent can see, newest first, keyset on id."""
    state = request.GET.get("state", "")
    states = (state,) if state in UNSENT else UNSENT
    qs = (
        Outbox.objects.filter(state__in=states)
        .filter(scope_q(agent, prefix="message__ticket__"))
        .select_related("message", "message__ticket", "message__ticket__customer", "inbox")
        .order_by("-id")
    )
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(pk__lt=int(before))
    rows = list(qs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    counts = {
        s: Outbox.objects.filter(state=s).filter(scope_q(agent, prefix="message__ticket__")).count()
        for s in UNSENT
    }
    return render(
        request,
        "web/outbox.html",
        {
            "rows": rows,
            "state": state if state in UNSENT else "",
            "states": [(s, OutboxState(s).label, counts[s]) for s in UNSENT],
            "next_before": rows[-1].pk if more and rows else None,
            "can_write": can(agent, Capability.WRITE),
            "dead_state": OutboxState.DEAD,
            "nav_active": "outbox",
        },
    )


@require_POST
@console_view
def retry(request: HttpRequest, agent: Agent, outbox_id: int) -> HttpResponse:
    """Queue a dead letter again; the action checks the agent may write to its ticket."""
    entry = do_retry_dead_letter(agent, outbox_id)
    messages.success(request, _("The message is queued to be sent again."))
    fallback = reverse("web:ticket", args=[entry.message.ticket_id])
    return HttpResponseRedirect(safe_next(request, fallback))
