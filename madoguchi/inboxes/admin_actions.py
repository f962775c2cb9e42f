"""Settings writes on inboxes: which outsourced agents may work an inbox, and the inbox itself.

Grants decide what outsourced agents see (tickets.access.scope_q), so every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.agent_admin import changed
from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent, Brand, Role, Team
from madoguchi.accounts.org_admin import clean_slug
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import NotFound, ValidationFailed

from .channel_fields import clean_address, clean_value, combination_error, spec_for
from .models import Inbox, InboxKind


def _outsourced(agent_ids: Iterable[int]) -> list[Agent]:
    ids = sorted(set(agent_ids))
    agents = list(Agent.objects.filter(pk__in=ids, role=Role.OUTSOURCED).order_by("pk"))
    if len(agents) != len(ids):
        raise ValidationFailed(
            _("Only outsourced agents are granted inboxes; the others see every inbox."),
            code="invalid_grant",
            details={"field": "granted_agents"},
        )
    return agents


@transaction.atomic
def do_set_agent_inboxes(actor: Agent, agent_id: int, inbox_ids: Iterable[int]) -> list[int]:
    """The inboxes an outsourced agent may work, replacing the previous grants."""
    require(actor, Capability.MANAGE_SETTINGS)
    target = Agent.objects.select_for_update().filter(pk=agent_id).first()
    if target is None:
        raise NotFound(_("Agent not found."), code="agent_not_found")
    if target.role != Role.OUTSOURCED:
        raise ValidationFailed(
            _("Only outsourced agents are granted inboxes; the others see every inbox."),
            code="invalid_grant",
            details={"field": "inboxes"},
        )
    ids = sorted(set(inbox_ids))
    inboxes = list(Inbox.objects.filter(pk__in=ids).order_by("pk"))
    if len(inboxes) != len(ids):
        raise ValidationFailed(
            _("No such inbox."), code="invalid_inbox", details={"field": "inboxes"}
        )
    before = sorted(target.granted_inboxes.values_list("name", flat=True))
    target.granted_inboxes.set(inboxes)
    after = sorted(i.name for i in inboxes)
    if before != after:
        record_audit(
            actor, "agent.inboxes", "agent", target.pk, {"changes": {"inboxes": [before, after]}}
        )
    return ids


def _fail(message: object, field: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"field": field})  # type: ignore[arg-type]


def _check_channel(
    kind: str,
    address: str,
    values: Mapping[str, str],
    current_settings: dict[str, Any],
    current_secrets: dict[str, Any],
    clear: Iterable[str] = (),
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Address, new settings and new credentials; blank secrets keep the stored value."""
    spec = spec_for(kind)
    try:
        address = clean_address(spec, address)
    except ValidationError as exc:
        raise _fail(" ".join(exc.messages), "address", "invalid_address") from exc
    new_settings = dict(current_settings)
    new_secrets = dict(current_secrets)
    for field in spec.fields:
        try:
            value = clean_value(field, values.get(field.key, ""))
        except ValidationError as exc:
            raise _fail(" ".join(exc.messages), field.key, f"invalid_{field.key}") from exc
        if field.secret:
            if value:
                new_secrets[field.key] = value
            elif field.key in clear:
                new_secrets.pop(field.key, None)
        elif value:
            new_settings[field.key] = value
        else:
            new_settings.pop(field.key, None)
    problem = combination_error(kind, new_settings)
    if problem is not None:
        raise _fail(problem[1], problem[0], f"invalid_{problem[0]}")
    return address, new_settings, new_secrets


def _secret_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """What the audit log may say about secrets: set / replaced / removed, never the value."""
    out = {}
    for key in sorted(set(before) | set(after)):
        if key not in after:
            out[key] = ["set", "removed"]
        elif key not in before:
            out[key] = ["not set", "set"]
        elif before[key] != after[key]:
            out[key] = ["set", "replaced"]
    return out


def _brand_and_team(brand_id: int | None, team_id: int | None) -> tuple[Brand, Team | None]:
    brand = Brand.objects.filter(pk=brand_id).first() if brand_id else None
    if brand is None:
        raise _fail(_("Choose a brand."), "brand", "invalid_brand")
    team = None
    if team_id:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise _fail(_("No such team."), "default_team", "invalid_team")
    return brand, team


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise _fail(_("Enter a name (up to 120 characters)."), "name", "invalid_name")
    return name


@transaction.atomic
def do_create_inbox(
    actor: Agent,
    *,
    kind: str,
    name: str,
    slug: str,
    brand_id: int | None,
    default_team_id: int | None = None,
    address: str = "",
    values: Mapping[str, str] | None = None,
) -> Inbox:
    """A new inbox with the address, settings and secrets its kind needs."""
    require(actor, Capability.MANAGE_SETTINGS)
    if kind not in InboxKind.values:
        raise _fail(_("Unknown inbox kind."), "kind", "invalid_kind")
    name = _name(name)
    slug = clean_slug(slug)
    if Inbox.objects.filter(slug=slug).exists():
        raise _fail(_("Another inbox uses this slug."), "slug", "slug_taken")
    brand, team = _brand_and_team(brand_id, default_team_id)
    address, settings, secrets = _check_channel(kind, address, values or {}, {}, {})
    inbox = Inbox.objects.create(
        kind=kind,
        name=name,
        slug=slug,
        brand=brand,
        default_team=team,
        address=address,
        settings=settings,
        credentials=cast(Any, secrets),
    )
    record_audit(
        actor,
        "inbox.create",
        "inbox",
        inbox.pk,
        {
            "kind": kind,
            "name": name,
            "slug": slug,
            "brand": brand.name,
            "address": address,
            "settings": settings,
            "secrets": sorted(secrets),
        },
    )
    return inbox


@transaction.atomic
def do_update_inbox(
    actor: Agent,
    inbox_id: int,
    *,
    name: str,
    brand_id: int | None,
    default_team_id: int | None,
    is_active: bool,
    address: str,
    values: Mapping[str, str] | None = None,
    clear_secrets: Iterable[str] = (),
    granted_agent_ids: Iterable[int] = (),
) -> Inbox:
    """Edit an inbox. Secrets left blank keep their stored value; `clear_secrets` removes."""
    require(actor, Capability.MANAGE_SETTINGS)
    inbox = Inbox.objects.select_for_update().filter(pk=inbox_id).first()
    if inbox is None:
        raise NotFound(_("Inbox not found."), code="inbox_not_found")
    name = _name(name)
    brand, team = _brand_and_team(brand_id, default_team_id)
    old_secrets: dict[str, Any] = dict(cast(dict[str, Any], inbox.credentials or {}))
    address, settings, secrets = _check_channel(
        inbox.kind, address, values or {}, dict(inbox.settings or {}), old_secrets, clear_secrets
    )
    agents = _outsourced(granted_agent_ids)
    before = {
        "name": inbox.name,
        "brand": inbox.brand.name,
        "default_team": inbox.default_team.name if inbox.default_team else "",
        "active": inbox.is_active,
        "address": inbox.address,
        "settings": dict(inbox.settings or {}),
        "granted_agents": sorted(inbox.granted_agents.values_list("display_name", flat=True)),
    }
    after = {
        "name": name,
        "brand": brand.name,
        "default_team": team.name if team else "",
        "active": bool(is_active),
        "address": address,
        "settings": settings,
        "granted_agents": sorted(a.display_name for a in agents),
    }
    inbox.name, inbox.brand, inbox.default_team = name, brand, team
    inbox.is_active, inbox.address, inbox.settings = bool(is_active), address, settings
    inbox.credentials = cast(Any, secrets)
    inbox.save()
    inbox.granted_agents.set(agents)
    diff: dict[str, Any] = changed(before, after)
    secret_diff = _secret_changes(old_secrets, secrets)
    if secret_diff:
        diff["secrets"] = secret_diff
    if diff:
        record_audit(actor, "inbox.update", "inbox", inbox.pk, {"changes": diff})
    return inbox
