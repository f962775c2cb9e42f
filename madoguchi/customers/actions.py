"""Writes to customers: find-or-create by identity, edit, add handles, merge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import Conflict, NotFound, ValidationFailed
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
# Longest text accepted per editable text field (the column size; notes are free text).
TEXT_LIMITS = {
    "name": 200,
    "name_kana": 200,
    "preferred_channel": 16,
    "postal_code": 16,
    "address": 300,
    "notes": 20_000,
}
MAX_HANDLE_CHARS = 320
MAX_TAGS = 50
MAX_CUSTOM_FIELDS = 50
MAX_CUSTOM_KEY = 64
MAX_CUSTOM_VALUE = 1000


@dataclass(frozen=True)
class Handle:
    """A channel handle as a connector or agent saw it, before normalising."""

    kind: str
    value: str
    display: str = ""


def normalise_handle(kind: str, value: str) -> str:
    """The matching form of a handle; raises ValidationFailed for unusable input."""
    if kind not in IdentityKind.values:
        raise ValidationFailed(
            _("Unknown kind of contact handle."),
            code="invalid_handle",
            details={"kind": kind, "allowed": IdentityKind.values},
        )
    if not isinstance(value, str):
        raise ValidationFailed(_("A handle must be text."), code="invalid_handle")
    try:
        if kind == IdentityKind.EMAIL:
            return normalise_email(value)
        if kind in (IdentityKind.PHONE, IdentityKind.FAX):
            return normalise_phone(value, settings.PHONE_DEFAULT_REGION)
    except InvalidHandle as exc:
        raise ValidationFailed(
            _("“%(value)s” is not a valid %(kind)s.")
            % {"value": value[:100], "kind": IdentityKind(kind).label},
            code="invalid_handle",
            details={"kind": kind, "value": value[:320]},
        ) from exc
    value = value.strip()
    if not value:
        raise ValidationFailed(_("A handle cannot be empty."), code="invalid_handle")
    if len(value) > MAX_HANDLE_CHARS:
        raise ValidationFailed(
            _("A handle can be at most %(limit)d characters.") % {"limit": MAX_HANDLE_CHARS},
            code="invalid_handle",
        )
    return value


def resolve(customer: Customer) -> Customer:
    """Follow merges to the surviving customer."""
    seen = set()
    while customer.merged_into_id and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def _known(handles: Sequence[Handle]) -> dict[tuple[str, str], Identity]:
    """The identities that already exist for these handles, in one query."""
    keys = [(h.kind, normalise_handle(h.kind, h.value)) for h in handles]
    if not keys:
        return {}
    query = Q()
    for kind, norm in keys:
        query |= Q(kind=kind, handle=norm)
    rows = Identity.objects.select_related("customer").filter(query)
    found = {(i.kind, i.handle): i for i in rows}
    return {key: found[key] for key in keys if key in found}


def find_by_handles(handles: Sequence[Handle]) -> Customer | None:
    """The customer of the first handle (in the given order) that is known."""
    for identity in _known(handles).values():
        return resolve(identity.customer)
    return None


def attach_handles(customer: Customer, handles: Sequence[Handle]) -> list[Identity]:
    """Add handles the customer does not have yet; handles owned by others are left alone."""
    return _insert_identities(customer, handles, skip_taken=True)


def _insert_identities(
    customer: Customer, handles: Sequence[Handle], *, skip_taken: bool
) -> list[Identity]:
    """Rows are inserted in (kind, handle) order, so two writers with the same handles in a
    different order wait on each other instead of deadlocking. Without `skip_taken`, a handle
    someone else owns is an IntegrityError (from the unique constraint) for the caller."""
    wanted = sorted(
        {(h.kind, normalise_handle(h.kind, h.value)): h for h in reversed(handles)}.items()
    )
    created = []
    for (kind, norm), handle in wanted:
        if skip_taken and Identity.objects.filter(kind=kind, handle=norm).exists():
            continue
        is_primary = not customer.identities.filter(kind=kind).exists()
        created.append(
            Identity.objects.create(
                customer=customer,
                kind=kind,
                handle=norm,
                display=(handle.display or handle.value).strip()[:MAX_HANDLE_CHARS],
                is_primary=is_primary,
            )
        )
    return created


def find_or_create(
    handles: Sequence[Handle], *, name: str = "", name_kana: str = "", language: str = ""
) -> tuple[Customer, bool]:
    """The customer behind any of the handles, or a new one that owns them all.

    Two writers creating the same new customer at once: the second one's identity insert
    fails with IntegrityError (never a customer without its handles); ingest() retries its
    transaction and then finds the first one's customer.
    """
    known = _known(handles)
    customer = resolve(next(iter(known.values())).customer) if known else None
    if customer is None:
        customer = Customer.objects.create(
            name=(name or "").strip()[:200],
            name_kana=(name_kana or "").strip()[:200],
            language=(language or "ja")[:8],
            preferred_channel=handles[0].kind if handles else "",
        )
        _insert_identities(customer, handles, skip_taken=False)
        reindex_customer(customer)
        return customer, True
    changed = []
    if name and not customer.name:
        customer.name = name.strip()[:200]
        changed.append("name")
    if name_kana and not customer.name_kana:
        customer.name_kana = name_kana.strip()[:200]
        changed.append("name_kana")
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    # Handles seen before need no work: the common case (a known sender) costs one query.
    unknown = [h for h in handles if (h.kind, normalise_handle(h.kind, h.value)) not in known]
    if (unknown and attach_handles(customer, unknown)) or changed:
        reindex_customer(customer)
    return customer, False


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Checked, trimmed field values; raises ValidationFailed before anything is written."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown customer fields."), code="unknown_fields", details=sorted(unknown)
        )
    clean = dict(fields)
    for name, limit in TEXT_LIMITS.items():
        if name not in clean:
            continue
        value = clean[name] if clean[name] is not None else ""
        if not isinstance(value, str):
            raise ValidationFailed(
                _("%(field)s must be text.") % {"field": name},
                code="invalid_field",
                details={"field": name},
            )
        value = value.strip()
        if len(value) > limit:
            raise ValidationFailed(
                _("%(field)s can be at most %(limit)d characters.")
                % {"field": name, "limit": limit},
                code="field_too_long",
                details={"field": name, "limit": limit},
            )
        clean[name] = value
    if clean.get("preferred_channel") and clean["preferred_channel"] not in IdentityKind.values:
        raise ValidationFailed(
            _("Unknown channel."), code="invalid_channel", details=IdentityKind.values
        )
    if "tags" in clean:
        tags = clean["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ValidationFailed(_("Tags must be a list of text."), code="invalid_tags")
        clean["tags"] = sorted({t.strip()[:64] for t in tags if t.strip()})
        if len(clean["tags"]) > MAX_TAGS:
            raise ValidationFailed(
                _("At most %(limit)d tags.") % {"limit": MAX_TAGS}, code="invalid_tags"
            )
    if "custom_fields" in clean:
        clean["custom_fields"] = _clean_custom_fields(clean["custom_fields"])
    if "language" in clean and clean["language"] not in dict(settings.LANGUAGES):
        raise ValidationFailed(
            _("Unsupported language."),
            code="invalid_language",
            details=[code for code, _label in settings.LANGUAGES],
        )
    return clean


def _clean_custom_fields(value: Any) -> dict[str, str]:
    """Text keys and values, trimmed; empty keys dropped; a bounded number of fields."""
    if not isinstance(value, dict):
        raise ValidationFailed(_("Custom fields must be an object."), code="invalid_custom_fields")
    clean: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str | int | float | bool):
            raise ValidationFailed(
                _("Custom field names and values must be text."), code="invalid_custom_fields"
            )
        key = key.strip()
        if not key:
            continue
        if len(key) > MAX_CUSTOM_KEY or len(str(item)) > MAX_CUSTOM_VALUE:
            raise ValidationFailed(
                _("A custom field name can be at most %(key)d and a value %(value)d characters.")
                % {"key": MAX_CUSTOM_KEY, "value": MAX_CUSTOM_VALUE},
                code="invalid_custom_fields",
                details={"field": key[:MAX_CUSTOM_KEY]},
            )
        clean[key] = item.strip() if isinstance(item, str) else str(item)
    if len(clean) > MAX_CUSTOM_FIELDS:
        raise ValidationFailed(
            _("At most %(limit)d custom fields.") % {"limit": MAX_CUSTOM_FIELDS},
            code="invalid_custom_fields",
        )
    return clean


def _check_handles_free(handles: Sequence[Handle], owner_id: int | None = None) -> None:
    """Conflict when a handle already belongs to a customer other than `owner_id`."""
    for handle in handles:
        norm = normalise_handle(handle.kind, handle.value)
        owner = Identity.objects.filter(kind=handle.kind, handle=norm).first()
        if owner and owner.customer_id != owner_id:
            raise Conflict(
                _(
                    "%(handle)s already belongs to another customer (ID %(id)d). "
                    "If they are the same person, merge the two customers."
                )
                % {"handle": handle.value, "id": owner.customer_id},
                code="identity_taken",
                details={"customer_id": owner.customer_id},
            )


def _attach_checked(customer: Customer, handles: Sequence[Handle]) -> None:
    """Attach handles; one taken by a concurrent writer after the check is a Conflict."""
    owned = set(customer.identities.values_list("kind", "handle"))
    new = [h for h in handles if (h.kind, normalise_handle(h.kind, h.value)) not in owned]
    try:
        with transaction.atomic():
            _insert_identities(customer, new, skip_taken=False)
    except IntegrityError as exc:
        raise Conflict(
            _("One of these handles was just given to another customer."),
            code="identity_taken",
        ) from exc


@transaction.atomic
def do_create_customer(agent: Agent, fields: dict[str, Any], handles: list[Handle]) -> Customer:
    require(agent, Capability.WRITE)
    clean = _clean_fields(fields)
    _check_handles_free(handles)
    customer = Customer.objects.create(**clean)
    _attach_checked(customer, handles)
    reindex_customer(customer)
    return customer


@transaction.atomic
def do_update_customer(
    agent: Agent,
    customer: Customer,
    fields: dict[str, Any],
    add_handles: Sequence[Handle] = (),
) -> Customer:
    """Edit fields and add handles. Callers pass a customer the agent may see
    (tickets.access.get_visible_customer); this checks the role may write."""
    require(agent, Capability.WRITE)
    clean = _clean_fields(fields)
    if customer.merged_into_id:
        raise Conflict(
            _("This customer was merged into another customer."),
            code="customer_merged",
            details={"merged_into": customer.merged_into_id},
        )
    _check_handles_free(add_handles, owner_id=customer.pk)
    for key, value in clean.items():
        setattr(customer, key, value)
    customer.save()
    _attach_checked(customer, add_handles)
    reindex_customer(customer)
    return customer


def _check_live(customer: Customer) -> None:
    if customer.merged_into_id:
        raise Conflict(
            _("This customer was merged into another customer."),
            code="customer_merged",
            details={"merged_into": customer.merged_into_id},
        )


@transaction.atomic
def do_add_identity(agent: Agent, customer: Customer, handle: Handle) -> Identity:
    """Give the customer one more handle; one owned by another customer is a Conflict whose
    details name that customer, so the console can offer to merge them."""
    require(agent, Capability.WRITE)
    _check_live(customer)
    norm = normalise_handle(handle.kind, handle.value)
    existing = customer.identities.filter(kind=handle.kind, handle=norm).first()
    if existing:
        return existing
    _check_handles_free([handle], owner_id=customer.pk)
    _attach_checked(customer, [handle])
    reindex_customer(customer)
    customer.save(update_fields=["updated_at"])
    return customer.identities.get(kind=handle.kind, handle=norm)


@transaction.atomic
def do_remove_identity(agent: Agent, customer: Customer, identity_id: int) -> None:
    """Take a handle away (a typo, a number given up); the next one of its kind becomes
    primary. Messages already received from it stay on their tickets."""
    require(agent, Capability.WRITE)
    _check_live(customer)
    identity = customer.identities.select_for_update().filter(pk=identity_id).first()
    if identity is None:
        raise NotFound(_("This contact handle does not exist."), code="identity_not_found")
    identity.delete()
    if identity.is_primary:
        following = customer.identities.filter(kind=identity.kind).order_by("id").first()
        if following:
            Identity.objects.filter(pk=following.pk).update(is_primary=True)
    reindex_customer(customer)
    customer.save(update_fields=["updated_at"])
