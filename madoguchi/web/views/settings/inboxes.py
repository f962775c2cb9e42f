"""Inboxes: list, create one of each kind, edit (secrets are write-only: shown as set / not set)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.accounts.models import Agent, Role
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError, NotFound
from madoguchi.inboxes.admin_actions import do_create_inbox, do_update_inbox
from madoguchi.inboxes.channel_fields import KindSpec, spec_for
from madoguchi.inboxes.models import Inbox, InboxKind

from ...forms.inbox_channel import ChannelInboxForm
from ..base import console_view
from .common import form_error
from .mail import mail_summary

NAV = "settings_inboxes"


def _outsourced_choices() -> list[tuple[int, str]]:
    return list(
        Agent.objects.filter(role=Role.OUTSOURCED)
        .order_by("display_name", "pk")
        .values_list("pk", "display_name")
    )


# The email form is long: its channel fields are shown in these groups, in this order.
EMAIL_GROUPS = (
    (
        gettext_lazy("Receiving (IMAP)"),
        ("imap_host", "imap_port", "imap_security", "imap_username", "imap_password",
         "imap_folder", "imap_after", "imap_move_to"),
    ),
    (
        gettext_lazy("Sending"),
        ("sending", "smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password",
         "provider_api_key", "webhook_secret"),
    ),
    (
        gettext_lazy("Replies"),
        ("from_name", "signature", "outbound_charset", "auto_reply", "auto_reply_subject",
         "auto_reply_body"),
    ),
)  # fmt: skip


def _email_context(form: ChannelInboxForm, inbox_id: int | None) -> dict[str, Any]:
    """Field groups and connection-test URLs of the email inbox form."""
    grouped = {key for _legend, keys in EMAIL_GROUPS for key in keys}
    groups = []
    for legend, keys in EMAIL_GROUPS:
        names = [n for k in keys for n in (k, f"clear_{k}") if n in form.fields]
        groups.append((legend, [form[n] for n in names]))
    base = [
        form[n] for n in form.fields if n not in grouped and n.removeprefix("clear_") not in grouped
    ]
    if inbox_id is None:
        urls = {w: reverse("web:settings_inbox_new_test", args=[w]) for w in ("imap", "smtp")}
    else:
        urls = {w: reverse("web:settings_inbox_test", args=[inbox_id, w]) for w in ("imap", "smtp")}
    return {
        "field_groups": {"base": base, "groups": groups},
        "imap_test_url": urls["imap"],
        "smtp_test_url": urls["smtp"],
    }


def _initial_settings(spec: KindSpec, settings: dict[str, Any]) -> dict[str, Any]:
    return {f.key: settings.get(f.key, f.default) for f in spec.fields if not f.secret}


@console_view
def inbox_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    inboxes = Inbox.objects.select_related("brand", "default_team").order_by(
        "brand__name", "kind", "name"
    )
    return render(
        request,
        "web/settings/inboxes.html",
        {"inboxes": inboxes, "kinds": InboxKind.choices, "nav_active": NAV},
    )


@console_view
def inbox_new(request: HttpRequest, agent: Agent, kind: str) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    if kind not in InboxKind.values:
        raise NotFound(_("Unknown inbox kind."), code="invalid_kind")
    spec = spec_for(kind)
    status = 200
    if request.method == "POST":
        form = ChannelInboxForm(request.POST, spec=spec)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inbox = do_create_inbox(
                    agent,
                    kind=kind,
                    name=data["name"],
                    slug=data["slug"],
                    brand_id=data["brand"],
                    default_team_id=data["default_team"],
                    address=data["address"],
                    values=form.channel_values(),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Inbox “%(name)s” created.") % {"name": inbox.name})
                return HttpResponseRedirect(reverse("web:settings_inbox", args=[inbox.pk]))
        else:
            status = 422
    else:
        form = ChannelInboxForm(initial=_initial_settings(spec, {}), spec=spec)
    context = {
        "form": form,
        "kind": kind,
        "kind_label": InboxKind(kind).label,
        "nav_active": NAV,
    }
    if kind == InboxKind.EMAIL:
        context.update(_email_context(form, None))
    return render(request, "web/settings/inbox_new.html", context, status=status)


@console_view
def inbox_edit(request: HttpRequest, agent: Agent, inbox_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    inbox = Inbox.objects.select_related("brand").filter(pk=inbox_id).first()
    if inbox is None:
        raise NotFound(_("Inbox not found."), code="inbox_not_found")
    spec = spec_for(inbox.kind)
    options = {
        "spec": spec,
        "editing": True,
        "stored_secrets": frozenset(inbox.credentials or {}),
        "agent_choices": _outsourced_choices(),
    }
    status = 200
    if request.method == "POST":
        form = ChannelInboxForm(request.POST, **options)  # type: ignore[arg-type]
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_update_inbox(
                    agent,
                    inbox.pk,
                    name=data["name"],
                    brand_id=data["brand"],
                    default_team_id=data["default_team"],
                    is_active=data["is_active"],
                    address=data["address"],
                    values=form.channel_values(),
                    clear_secrets=form.cleared_secrets(),
                    granted_agent_ids=data["granted_agents"],
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("web:settings_inbox", args=[inbox.pk]))
        else:
            status = 422
    else:
        initial = {
            "name": inbox.name,
            "brand": inbox.brand_id,
            "default_team": inbox.default_team_id,
            "address": inbox.address,
            "is_active": inbox.is_active,
            "granted_agents": list(inbox.granted_agents.values_list("pk", flat=True)),
        }
        initial.update(_initial_settings(spec, inbox.settings or {}))
        form = ChannelInboxForm(initial=initial, **options)  # type: ignore[arg-type]
    context: dict[str, Any] = {"form": form, "inbox": inbox, "nav_active": NAV}
    if inbox.kind == InboxKind.EMAIL:
        context.update(_email_context(form, inbox.pk))
        context["mail_summary"] = mail_summary(inbox)
    return render(request, "web/settings/inbox_edit.html", context, status=status)
