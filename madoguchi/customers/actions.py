"""Writes to customers: find-or-create by identity, edit, add handles, merge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import Conflict, ValidationFailed
from madoguchi.lib.handles import InvalidHandle, normalise_email, normalise_phone

from .indexing import reindex_customer
from .models import Customer, Identity, IdentityKind

EDITABLE_FIELDS = (
    "name",
    "name_kana",
    "language",
    "preferred_channel",
    "postal_code",
    "address",
    "notes",
    "tags",
    "custom_fields",
)


@dataclass(frozen=True)
class Handle:
    """A channel handle as a connector or agent saw it, before normalising."""

    kind: str
    value: str
    display: str = ""


def normalise_handle(kind: str, value: str) -> str:
    """The matching form of a handle; raises ValidationFailed for unusable input."""
    try:
        if kind == IdentityKind.EMAIL:
            return normalise_email(value)
        if kind in (IdentityKind.PHONE, IdentityKind.FAX):
            return normalise_phone(value, settings.PHONE_DEFAULT_REGION)
    except InvalidHandle as exc:
        raise ValidationFailed(
            _("“%(value)s” is not a valid %(kind)s.") % {"value": value, "kind": kind},
            code="invalid_handle",
            details={"kind": kind, "value": value},
        ) from exc
    value = (value or "").strip()
    if not value or len(value) > 320:
        raise ValidationFailed(_("A handle cannot be empty."), code="invalid_handle")
    return value


def resolve(customer: Customer) -> Customer:
    """Follow merges to the surviving customer."""
    seen = set()
    while customer.merged_into_id and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def find_by_handles(handles: list[Handle]) -> Customer | None:
    for handle in handles:
        norm = normalise_handle(handle.kind, handle.value)
        identity = (
            Identity.objects.select_related("customer").filter(kind=handle.kind, handle=norm).first()
        )
        if identity:
            return resolve(identity.customer)
    return None


def attach_handles(customer: Customer, handles: list[Handle]) -> list[Identity]:
    """Add handles the customer does not have yet; handles owned by others are left alone."""
    created = []
    for handle in handles:
        norm = normalise_handle(handle.kind, handle.value)
        if Identity.objects.filter(kind=handle.kind, handle=norm).exists():
            continue
        is_primary = not customer.identities.filter(kind=handle.kind).exists()
        created.append(
            Identity.objects.create(
                customer=customer,
                kind=handle.kind,
                handle=norm,
                display=(handle.display or handle.value).strip()[:320],
                is_primary=is_primary,
            )
        )
    return created


def find_or_create(
    handles: list[Handle], *, name: str = "", name_kana: str = "", language: str = ""
) -> tuple[Customer, bool]:
    """The customer behind any of the handles, or a new one that owns them all."""
    customer = find_by_handles(handles)
    created = customer is None
    if customer is None:
        customer = Customer.objects.create(
            name=(name or "").strip()[:200],
            name_kana=(name_kana or "").strip()[:200],
            language=language or "ja",
            preferred_channel=handles[0].kind if handles else "",
        )
    else:
        changed = []
        if name and not customer.name:
            customer.name = name.strip()[:200]
            changed.append("name")
        if name_kana and not customer.name_kana:
            customer.name_kana = name_kana.strip()[:200]
            changed.append("name_kana")
        if changed:
            customer.save(update_fields=[*changed, "updated_at"])
    new_identities = attach_handles(customer, handles)
    if created or new_identities:
        reindex_customer(customer)
    return customer, created


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown customer fields."), code="unknown_fields", details=sorted(unknown)
        )
    clean = dict(fields)
    if "tags" in clean:
        tags = clean["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ValidationFailed(_("Tags must be a list of text."), code="invalid_tags")
        clean["tags"] = sorted({t.strip()[:64] for t in tags if t.strip()})
    if "custom_fields" in clean and not isinstance(clean["custom_fields"], dict):
        raise ValidationFailed(_("Custom fields must be an object."), code="invalid_custom_fields")
    if "language" in clean and clean["language"] not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Unsupported language."), code="invalid_language")
    return clean


@transaction.atomic
def do_create_customer(
    agent: Agent, fields: dict[str, Any], handles: list[Handle]
) -> Customer:
    require(agent, Capability.WRITE)
    clean = _clean_fields(fields)
    for handle in handles:
        norm = normalise_handle(handle.kind, handle.value)
        owner = Identity.objects.filter(kind=handle.kind, handle=norm).first()
        if owner:
            raise Conflict(
                _("%(handle)s already belongs to another customer.") % {"handle": handle.value},
                code="identity_taken",
                details={"customer_id": owner.customer_id},
            )
    customer = Customer.objects.create(**clean)
    attach_handles(customer, handles)
    reindex_customer(customer)
    return customer


@transaction.atomic
def do_update_customer(
    agent: Agent, customer: Customer, fields: dict[str, Any], add_handles: list[Handle] = ()  # type: ignore[assignment]
) -> Customer:
    require(agent, Capability.WRITE)
    clean = _clean_fields(fields)
    for handle in add_handles:
        norm = normalise_handle(handle.kind, handle.value)
        owner = Identity.objects.filter(kind=handle.kind, handle=norm).first()
        if owner and owner.customer_id != customer.pk:
            raise Conflict(
                _("%(handle)s already belongs to another customer.") % {"handle": handle.value},
                code="identity_taken",
                details={"customer_id": owner.customer_id},
            )
    for key, value in clean.items():
        setattr(customer, key, value)
    customer.save()
    attach_handles(customer, list(add_handles))
    reindex_customer(customer)
    return customer
