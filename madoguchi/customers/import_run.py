"""Running a customer import: check every row first, then write all rows or none.

Rules (docs for agents are on the import page):
* A row needs a name or at least one handle (email, phone, FAX) or a customer ID.
* A handle that already belongs to a customer makes the row an *update* of that customer
  (non-empty cells overwrite, tags and custom fields are added). It is an error only when
  the row's handles belong to different customers, or to another customer than its ID.
* The same handle or ID twice in the file, or two rows updating one customer, is an error.
* Any error rejects the whole file: nothing is written, the report lists row, column, reason.
Row numbers are as Excel shows them: the header is row 1.

A run leaves a sign of life (`progress_at`) when it is claimed, every PROGRESS_EVERY rows and
when it starts writing. The write — every customer, the audit entry and the "done" status — is
one transaction that first re-claims the import row, so an import marked stale
(`import_recovery.py`) is never written afterwards by a worker that was only slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.accounts.audit import record_audit
from madoguchi.core.errors import ValidationFailed
from madoguchi.lib.handles import InvalidHandle, normalise_email, normalise_phone

from .actions import MAX_CUSTOM_VALUE, MAX_TAGS, TEXT_LIMITS, Handle, _insert_identities
from .import_recovery import RUNNING
from .imports import FORMULA_START, load_rows
from .indexing import reindex_customer
from .models import Customer, CustomerImport, Identity, IdentityKind, ImportStatus

PROGRESS_EVERY = 200
LOOKUP_CHUNK = 500
_EMAIL_SPLIT = re.compile(r"[;,、，；\s]+")
_PHONE_SPLIT = re.compile(r"[;,、，；/\n]+")
_TAG_SPLIT = re.compile(r"[,、，;；\s]+")
HANDLE_FIELDS = {"email": IdentityKind.EMAIL, "phone": IdentityKind.PHONE, "fax": IdentityKind.FAX}
TEXT_FIELDS = ("name", "name_kana", "notes", "postal_code", "address")


@dataclass
class RowPlan:
    """One valid row: what to write, and where (an existing customer or a new one)."""

    row: int
    fields: dict[str, Any] = field(default_factory=dict)
    handles: list[tuple[str, str, str]] = field(default_factory=list)  # kind, handle, display
    customer_id: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field → header, for messages


class RowErrors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, column: str, reason: str) -> None:
        self.items.append({"row": row, "column": column, "reason": reason})


def _cell(value: str) -> str:
    value = (value or "").strip()
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_START):
        value = value[1:]
    return value


def _language(value: str) -> str | None:
    wanted = value.strip().lower()
    for code, label in settings.LANGUAGES:
        if wanted in (code.lower(), str(label).lower(), _(str(label)).lower()):
            return code
    aliases = {"日本語": "ja", "英語": "en", "japanese": "ja", "english": "en"}
    alias = aliases.get(wanted)
    return alias if alias in dict(settings.LANGUAGES) else None


def _channel(value: str) -> str | None:
    wanted = value.strip().lower()
    for code, label in IdentityKind.choices:
        if wanted in (code, str(label).lower()):
            return code
    return None


def plan_row(
    number: int, cells: list[str], headers: list[str], mapping: dict[str, str], errors: RowErrors
) -> RowPlan | None:
    """Parse one row; every problem is recorded, None when the row has any."""
    plan = RowPlan(row=number)
    before = len(errors.items)
    region = settings.PHONE_DEFAULT_REGION
    for key, target in mapping.items():
        position = int(key)
        column = headers[position]
        plan.columns.setdefault(target, column)
        value = _cell(cells[position]) if position < len(cells) else ""
        if not value:
            continue
        if target == "id":
            digits = value.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
            if not digits.isdigit() or len(digits) > 18:
                errors.add(number, column, _("A customer ID is a number."))
            else:
                plan.customer_id = int(digits)
        elif target in TEXT_FIELDS:
            if len(value) > TEXT_LIMITS[target]:
                errors.add(
                    number,
                    column,
                    _("At most %(limit)d characters.") % {"limit": TEXT_LIMITS[target]},
                )
            plan.fields[target] = value
        elif target == "email":
            for part in filter(None, _EMAIL_SPLIT.split(value)):
                try:
                    plan.handles.append((IdentityKind.EMAIL, normalise_email(part), part))
                except InvalidHandle:
                    errors.add(
                        number,
                        column,
                        _("“%(value)s” is not a valid email address.") % {"value": part[:100]},
                    )
        elif target in ("phone", "fax"):
            for part in (p.strip() for p in _PHONE_SPLIT.split(value)):
                if not part:
                    continue
                try:
                    plan.handles.append(
                        (HANDLE_FIELDS[target], normalise_phone(part, region), part)
                    )
                except InvalidHandle:
                    errors.add(
                        number,
                        column,
                        _("“%(value)s” is not a valid phone number.") % {"value": part[:100]},
                    )
        elif target == "language":
            code = _language(value)
            if code is None:
                errors.add(
                    number,
                    column,
                    _("Unknown language “%(value)s”; use one of %(codes)s.")
                    % {
                        "value": value[:50],
                        "codes": ", ".join(c for c, _label in settings.LANGUAGES),
                    },
                )
            else:
                plan.fields["language"] = code
        elif target == "preferred_channel":
            channel = _channel(value)
            if channel is None:
                errors.add(
                    number, column, _("Unknown channel “%(value)s”.") % {"value": value[:50]}
                )
            else:
                plan.fields["preferred_channel"] = channel
        elif target == "tags":
            tags = sorted({t[:64] for t in _TAG_SPLIT.split(value) if t})
            if len(tags) > MAX_TAGS:
                errors.add(number, column, _("At most %(limit)d tags.") % {"limit": MAX_TAGS})
            plan.fields["tags"] = tags
        elif target == "custom":
            if len(value) > MAX_CUSTOM_VALUE:
                errors.add(
                    number, column, _("At most %(limit)d characters.") % {"limit": MAX_CUSTOM_VALUE}
                )
            plan.fields.setdefault("custom_fields", {})[column.strip()] = value
    if not plan.fields.get("name") and not plan.handles and plan.customer_id is None:
        column = plan.columns.get("name") or next(iter(plan.columns.values()), "")
        errors.add(number, column, _("The row has no name and no email, phone or FAX number."))
    return plan if len(errors.items) == before else None


def _owners(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(kind, handle) → customer id for the handles that exist, in chunked queries."""
    keys = list(keys)
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        query = Q()
        for kind, handle in keys[start : start + LOOKUP_CHUNK]:
            query |= Q(kind=kind, handle=handle)
        for kind, handle, owner in Identity.objects.filter(query).values_list(
            "kind", "handle", "customer_id"
        ):
            found[(kind, handle)] = owner
    return found


def check_against_desk(plans: list[RowPlan], errors: RowErrors) -> list[RowPlan]:
    """Duplicates inside the file, and which customer each row updates."""
    first_seen: dict[tuple[str, str], int] = {}
    owners = _owners({(k, h) for p in plans for k, h, _d in p.handles})
    ids = {p.customer_id for p in plans if p.customer_id}
    live = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "merged_into_id"))
    updated_by: dict[int, int] = {}
    good = []
    for plan in plans:
        before = len(errors.items)
        for kind, handle, display in plan.handles:
            column = plan.columns.get(kind, "")
            if (kind, handle) in first_seen and first_seen[(kind, handle)] != plan.row:
                errors.add(
                    plan.row,
                    column,
                    _("“%(value)s” is also in row %(row)d.")
                    % {"value": display, "row": first_seen[(kind, handle)]},
                )
            first_seen.setdefault((kind, handle), plan.row)
        id_column = plan.columns.get("id", "")
        if plan.customer_id is not None:
            if plan.customer_id not in live:
                errors.add(
                    plan.row,
                    id_column,
                    _("There is no customer with ID %(id)d.") % {"id": plan.customer_id},
                )
            elif live[plan.customer_id]:
                errors.add(
                    plan.row,
                    id_column,
                    _("Customer %(id)d was merged into customer %(into)d.")
                    % {"id": plan.customer_id, "into": live[plan.customer_id]},
                )
        owned = {
            (kind, display): owners[(kind, h)]
            for kind, h, display in plan.handles
            if (kind, h) in owners
        }
        target = plan.customer_id
        for (kind, display), owner in owned.items():
            if target is None:
                target = owner
            elif owner != target:
                errors.add(
                    plan.row,
                    plan.columns.get(kind, ""),
                    _(
                        "“%(value)s” belongs to customer %(owner)d, not %(target)d. "
                        "Merge those customers first."
                    )
                    % {"value": display, "owner": owner, "target": target},
                )
        if target is not None and len(errors.items) == before:
            if target in updated_by:
                errors.add(
                    plan.row,
                    id_column or next(iter(plan.columns.values()), ""),
                    _("Updates the same customer (%(id)d) as row %(row)d.")
                    % {"id": target, "row": updated_by[target]},
                )
            updated_by.setdefault(target, plan.row)
        plan.customer_id = target
        if len(errors.items) == before:
            good.append(plan)
    return good


def _write(plan: RowPlan) -> bool:
    """Create or update one customer; True when it was created."""
    fields = dict(plan.fields)
    handles = [Handle(kind, value, display) for kind, value, display in plan.handles]
    if plan.customer_id is None:
        fields.setdefault("preferred_channel", handles[0].kind if handles else "")
        customer = Customer.objects.create(**fields)
        created = True
    else:
        customer = Customer.objects.select_for_update().get(pk=plan.customer_id)
        for name, value in fields.items():
            if name == "tags":
                value = sorted(set(customer.tags) | set(value))[:MAX_TAGS]
            elif name == "custom_fields":
                value = {**customer.custom_fields, **value}
            setattr(customer, name, value)
        customer.save()
        created = False
    owned = set(customer.identities.values_list("kind", "handle"))
    new = [h for h in handles if (h.kind, h.value) not in owned]
    _insert_identities(customer, new, skip_taken=False)
    reindex_customer(customer)
    return created


class Abandoned(Exception):
    """The import is no longer this run's (marked stale, maybe started again): stop."""


def _progress(job: CustomerImport, owned: str = ImportStatus.VALIDATING, **values: Any) -> None:
    """Record progress of a run that still owns the import.

    `progress_at` doubles as the run's version: each call expects the value this run wrote
    last, so a run whose import was marked stale, or started again by another run, stops.
    """
    now = timezone.now()
    updated = CustomerImport.objects.filter(
        pk=job.pk, status=owned, progress_at=job.progress_at
    ).update(progress_at=now, **values)
    if not updated:
        raise Abandoned
    job.progress_at = now


def run_import(import_id: int) -> str:
    """The background run. Safe to run twice: only a queued import is claimed."""
    claimed = CustomerImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, processed_rows=0, progress_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = CustomerImport.objects.select_related("created_by").get(pk=import_id)
    language = job.created_by.language if job.created_by else settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            return _run(job)
        except Abandoned:
            return "abandoned"


def _run(job: CustomerImport) -> str:
    errors = RowErrors()
    try:
        rows = load_rows(job)
    except (OSError, ValidationFailed) as exc:  # the stored file vanished or changed
        errors.add(
            0, "", _("The uploaded file could not be read again: %(error)s") % {"error": exc}
        )
        return _finish(job, ImportStatus.FAILED, errors)
    plans = []
    for index, cells in enumerate(rows):
        plan = plan_row(index + 2, cells, job.headers, job.mapping, errors)
        if plan:
            plans.append(plan)
        if (index + 1) % PROGRESS_EVERY == 0:
            _progress(job, processed_rows=index + 1)
    plans = check_against_desk(plans, errors)
    _progress(job, processed_rows=len(rows), total_rows=len(rows))
    if errors.items:
        return _finish(job, ImportStatus.REJECTED, errors)
    _progress(job, ImportStatus.VALIDATING, status=ImportStatus.WRITING)
    created = 0
    claimed_at = job.progress_at
    try:
        with transaction.atomic():
            # First statement of the transaction: takes the import row (PostgreSQL) or the
            # write lock (SQLite), so nobody can mark it stale while it is being written.
            _progress(job, ImportStatus.WRITING)
            for plan in plans:
                created += _write(plan)
            record_audit(
                job.created_by,
                "customer.import",
                "customer_import",
                job.pk,
                {"created": created, "updated": len(plans) - created, "file": job.filename},
            )
            # "done" commits with the customers: a worker dying after the commit cannot
            # leave written customers behind an import that says it is still saving.
            return _finish(job, ImportStatus.DONE, errors, created, len(plans) - created)
    except IntegrityError:
        job.progress_at = claimed_at  # what the database holds again after the rollback
        errors.add(
            0,
            "",
            _(
                "Another change to the same customers happened during the import. "
                "Nothing was imported; please run it again."
            ),
        )
        return _finish(job, ImportStatus.FAILED, errors)


def _finish(
    job: CustomerImport, status: str, errors: RowErrors, created: int = 0, updated: int = 0
) -> str:
    """The outcome, unless the import was meanwhile marked stale (then that outcome stays)."""
    errors.items.sort(key=lambda e: (e["row"], e["column"]))
    now = timezone.now()
    finished = CustomerImport.objects.filter(
        pk=job.pk, status__in=RUNNING, progress_at=job.progress_at
    ).update(
        status=status,
        errors=errors.items[:5000],
        created_count=created,
        updated_count=updated,
        progress_at=now,
        finished_at=now,
    )
    if not finished:
        raise Abandoned
    return str(status)
