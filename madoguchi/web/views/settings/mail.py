"""An email inbox's mail pages for leads and admins: connection tests on the settings form,
the fetch status per IMAP folder, the received mail with re-process and the raw .eml."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.connectors.email.mail_admin import (
    TooManyTests,
    do_reprocess_raw_mail,
    do_test_connection,
)
from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.inboxes.channel_fields import spec_for
from madoguchi.inboxes.models import Inbox, InboxKind, MailFolderState, RawMail, RawMailState
from madoguchi.tickets.queries import decode_cursor, pack_cursor

from ..base import console_view, is_htmx

NAV = "settings_inboxes"
PAGE_SIZE = 50
FILTERS = ("failed", "ignored", "bounce", "pending", "ingested")


def _email_inbox(inbox_id: int) -> Inbox:
    inbox = Inbox.objects.select_related("brand").filter(pk=inbox_id, kind=InboxKind.EMAIL).first()
    if inbox is None:
        raise NotFound(_("Email inbox not found."), code="inbox_not_found")
    return inbox


@require_POST
@console_view
def connection_test(
    request: HttpRequest, agent: Agent, which: str, inbox_id: int | None = None
) -> HttpResponse:
    """Test the IMAP or SMTP settings as currently typed in the form (saved or not)."""
    spec = spec_for(InboxKind.EMAIL)
    values = {f.key: request.POST.get(f.key, "") for f in spec.fields}
    cleared = [f.key for f in spec.fields if f.secret and request.POST.get(f"clear_{f.key}")]
    context: dict[str, Any] = {"which": which, "nav_active": NAV, "inbox_id": inbox_id}
    status = 200
    try:
        context["result"] = do_test_connection(
            agent, which, values, inbox_id=inbox_id, clear_secrets=cleared
        )
    except (ValidationFailed, TooManyTests) as exc:
        context["error"] = exc.message
        status = exc.status
    template = "web/settings/_mail_test_result.html"
    if not is_htmx(request):
        template = "web/settings/inbox_mail_test.html"  # the same result, as a page (no JS)
    return render(request, template, context, status=status)


def _page(inbox: Inbox, state: str, cursor: str) -> tuple[list[RawMail], str]:
    qs = RawMail.objects.filter(inbox=inbox).select_related("ticket")
    if state:
        qs = qs.filter(state=state)
    if cursor:
        when, pk = decode_cursor(cursor)
        qs = qs.filter(received_at__lte=when).filter(
            Q(received_at__lt=when) | Q(received_at=when, pk__lt=pk)
        )
    rows = list(
        qs.defer("data").order_by("-received_at", "-id")[: PAGE_SIZE + 1]  # never the bytes
    )
    last = rows[PAGE_SIZE - 1] if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], pack_cursor([last.received_at.isoformat(), last.pk]) if last else ""


@require_GET
@console_view
def mail_status(request: HttpRequest, agent: Agent, inbox_id: int) -> HttpResponse:
    """Fetch state per folder, last week's mail by state, and the received mail, newest first."""
    require(agent, Capability.MANAGE_SETTINGS)
    inbox = _email_inbox(inbox_id)
    state = request.GET.get("state", "")
    if state and state not in FILTERS:
        raise ValidationFailed(_("Unknown filter."), code="invalid_state")
    cursor = request.GET.get("cursor", "")
    rows, next_cursor = _page(inbox, state, cursor)
    since = timezone.now() - timedelta(days=7)
    counted = dict(
        RawMail.objects.filter(inbox=inbox, received_at__gte=since)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    week = [(value, label, counted.get(value, 0)) for value, label in RawMailState.choices]
    context = {
        "inbox": inbox,
        "folders": list(MailFolderState.objects.filter(inbox=inbox).order_by("folder")),
        "week": week,
        "rows": rows,
        "state": state,
        "filters": [(v, RawMailState(v).label) for v in FILTERS],
        "next_cursor": next_cursor,
        "is_first_page": not cursor,
        "nav_active": NAV,
    }
    return render(request, "web/settings/inbox_mail.html", context)


def mail_summary(inbox: Inbox) -> dict[str, Any]:
    """What the inbox's settings page shows above the form: folders in trouble, failed mail."""
    since = timezone.now() - timedelta(days=7)
    return {
        "folders": list(MailFolderState.objects.filter(inbox=inbox).order_by("folder")),
        "failed": RawMail.objects.filter(
            inbox=inbox, state=RawMailState.FAILED, received_at__gte=since
        ).count(),
    }


def _raw_mail(inbox_id: int, raw_mail_id: int) -> RawMail:
    raw_mail = (
        RawMail.objects.select_related("ticket").filter(pk=raw_mail_id, inbox_id=inbox_id).first()
    )
    if raw_mail is None:
        raise NotFound(_("Received mail not found."), code="raw_mail_not_found")
    return raw_mail


@require_POST
@console_view
def reprocess(request: HttpRequest, agent: Agent, inbox_id: int, raw_mail_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    _raw_mail(inbox_id, raw_mail_id)  # 404 unless the mail is this inbox's
    processed = do_reprocess_raw_mail(agent, raw_mail_id)
    row = RawMail.objects.select_related("ticket").defer("data").get(pk=processed.pk)
    if is_htmx(request):
        return render(
            request,
            "web/settings/_inbox_mail_row.html",
            {"raw": row, "reprocessed": True},
        )
    messages.success(request, _("Processed again: %(state)s") % {"state": row.get_state_display()})
    return HttpResponseRedirect(reverse("web:settings_inbox_mail", args=[inbox_id]))


@require_GET
@console_view
def download(request: HttpRequest, agent: Agent, inbox_id: int, raw_mail_id: int) -> HttpResponse:
    """The mail exactly as it arrived, for a mail client or a bug report."""
    require(agent, Capability.MANAGE_SETTINGS)
    raw_mail = _raw_mail(inbox_id, raw_mail_id)
    from madoguchi.connectors.email.inbound import raw_bytes

    response = HttpResponse(raw_bytes(raw_mail), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="mail-{raw_mail.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
