"""Customer CSV import and export: reading Excel's files, mapping columns, starting the run.

The run itself (validate every row, then write all or nothing) is in `import_run.py`.
A run whose worker died is shown as failed and can be started again: `import_recovery.py`.
Excel in Japan saves CSV as Shift_JIS (really CP932, with NEC/IBM extensions such as ①
and 髙), newer versions as UTF-8 with a BOM; both are read, and the export writes UTF-8
with a BOM so Excel opens Japanese correctly.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can, require
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .actions import MAX_CUSTOM_FIELDS, MAX_CUSTOM_KEY, MAX_CUSTOM_VALUE
from .models import Customer, CustomerImport, IdentityKind, ImportStatus

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
MAX_COLUMNS = 100
# Import targets. "custom" keeps the cell as a custom field named after the column header.
IMPORT_FIELDS: dict[str, Any] = {
    "id": _("Customer ID"),
    "name": _("Name"),
    "name_kana": _("Furigana"),
    "email": _("Email"),
    "phone": _("Phone"),
    "fax": _("FAX number"),
    "language": _("Language"),
    "preferred_channel": _("Preferred channel"),
    "tags": _("Tags"),
    "notes": _("Notes"),
    "postal_code": _("Postal code"),
    "address": _("Address"),
    "custom": _("Custom field (the column name is the key)"),
}
# Header names people use, compared after NFKC, lower-casing and dropping spaces/punctuation.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "customerid", "顧客id", "顧客番号", "お客様番号"),
    "name": ("name", "fullname", "customername", "氏名", "名前", "お名前", "顧客名", "お客様名"),
    "name_kana": (
        "furigana",
        "kana",
        "namekana",
        "フリガナ",
        "ふりがな",
        "カナ",
        "かな",
        "氏名カナ",
        "氏名フリガナ",
        "お名前フリガナ",
        "セイメイ",
    ),
    "email": (
        "email",
        "mail",
        "emailaddress",
        "mailaddress",
        "メール",
        "メールアドレス",
        "eメール",
        "eメールアドレス",
    ),
    "phone": (
        "phone",
        "tel",
        "telephone",
        "phonenumber",
        "mobile",
        "電話",
        "電話番号",
        "携帯",
        "携帯電話",
        "携帯番号",
        "tel番号",
    ),
    "fax": ("fax", "faxnumber", "fax番号", "ファックス", "ファクス"),
    "language": ("language", "lang", "言語", "使用言語"),
    "preferred_channel": (
        "preferredchannel",
        "channel",
        "連絡方法",
        "希望連絡方法",
        "希望チャネル",
    ),
    "tags": ("tags", "tag", "タグ", "ラベル"),
    "notes": ("notes", "note", "memo", "comment", "メモ", "備考", "注記", "コメント"),
    "postal_code": ("postalcode", "zip", "zipcode", "postcode", "郵便番号", "〒"),
    "address": ("address", "住所", "所在地"),
}
_HEADER_NOISE = re.compile(r"[\s_\-・･:：()（）\[\]「」]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Formula-looking cells get a leading apostrophe on export (CSV injection); import drops it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportRefused(ValidationFailed):
    """The file cannot be imported at all (encoding, size, shape)."""


def header_key(header: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", header or "").lower())


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 with or without BOM, else CP932 (Excel's Shift_JIS)."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    else:
        encoding, body = "utf-8", data
    for candidate in (encoding, "cp932"):
        try:
            text = body.decode("utf-8" if candidate == "utf-8-sig" else candidate)
        except UnicodeDecodeError:
            if candidate == "utf-8-sig":
                break
            continue
        if not _CONTROL.search(text):  # NUL bytes: UTF-16 or a binary file, not CSV text
            return text, candidate
        break
    raise ImportRefused(
        _("The file is neither UTF-8 nor Shift_JIS (CP932) text. Save it from Excel as CSV."),
        code="import_encoding",
    )


def read_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows; blank rows (Excel leaves some at the end) are dropped."""
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRefused(
            _("The file is not valid CSV: %(error)s") % {"error": str(exc)}, code="import_csv"
        ) from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportRefused(_("The file is empty."), code="import_empty")
    header = [cell.strip() for cell in records[0]]
    if len(header) > MAX_COLUMNS:
        raise ImportRefused(
            _("The file has more than %(limit)d columns.") % {"limit": MAX_COLUMNS},
            code="import_columns",
        )
    rows = [r for r in records[1:] if any(cell.strip() for cell in r)]
    return header, rows


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (as text) → import field, guessed from the header names."""
    lookup = {alias: field for field, aliases in HEADER_ALIASES.items() for alias in aliases}
    lookup.update(
        {header_key(str(label)): f for f, label in IMPORT_FIELDS.items() if f != "custom"}
    )
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for position, header in enumerate(headers):
        field = lookup.get(header_key(header), "")
        if field and field not in used:
            mapping[str(position)] = field
            used.add(field)
    return mapping


def check_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """A usable mapping: known fields, each at most once (custom fields excepted), and a
    column that identifies a customer (name, email, phone or ID)."""
    clean: dict[str, str] = {}
    seen: set[str] = set()
    for key, field in mapping.items():
        if not field:
            continue
        if not str(key).isdigit() or int(key) >= len(headers) or field not in IMPORT_FIELDS:
            raise ValidationFailed(_("Unknown column or field in the mapping."), code="bad_mapping")
        if field in seen and field != "custom":
            raise ValidationFailed(
                _("“%(field)s” is chosen for more than one column.")
                % {"field": IMPORT_FIELDS[field]},
                code="bad_mapping",
            )
        if field == "custom" and not headers[int(key)].strip():
            raise ValidationFailed(
                _("A custom field column needs a header name."), code="bad_mapping"
            )
        if field == "custom" and len(headers[int(key)].strip()) > MAX_CUSTOM_KEY:
            # The header becomes the custom field's name: the same limits as do_update_customer.
            raise ValidationFailed(
                _("A custom field name can be at most %(key)d and a value %(value)d characters.")
                % {"key": MAX_CUSTOM_KEY, "value": MAX_CUSTOM_VALUE},
                code="bad_mapping",
            )
        seen.add(field)
        clean[str(key)] = field
    if list(clean.values()).count("custom") > MAX_CUSTOM_FIELDS:
        raise ValidationFailed(
            _("At most %(limit)d custom fields.") % {"limit": MAX_CUSTOM_FIELDS},
            code="bad_mapping",
        )
    if not seen & {"id", "name", "email", "phone", "fax"}:
        raise ValidationFailed(
            _("Map at least one of the columns name, email, phone or customer ID."),
            code="bad_mapping",
        )
    return clean


def require_import(agent: Agent) -> None:
    """Importing can update any customer, so only roles that see every customer may."""
    require(agent, Capability.WRITE)
    require(agent, Capability.VIEW_ALL)


def do_start_import(agent: Agent, filename: str, data: bytes) -> CustomerImport:
    """Check the file's size, encoding and shape, store it, and guess the column mapping."""
    require_import(agent)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)},
            code="import_too_large",
        )
    text, encoding = decode_csv(data)
    headers, rows = read_rows(text)
    if not rows:
        raise ImportRefused(_("The file has a header but no rows."), code="import_empty")
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportRefused(
            _("The file has %(rows)d rows; at most %(limit)d can be imported at once.")
            % {"rows": len(rows), "limit": MAX_IMPORT_ROWS},
            code="import_too_many_rows",
        )
    name = (filename or "customers.csv").replace("\\", "/").rsplit("/", 1)[-1][:200]
    job = CustomerImport(
        created_by=agent,
        filename=name,
        encoding=encoding,
        headers=headers,
        mapping=suggest_mapping(headers),
        total_rows=len(rows),
    )
    job.file.save("customers.csv", ContentFile(data), save=False)
    job.save()
    return job


def get_import(agent: Agent, import_id: int) -> CustomerImport:
    """An import the agent may look at: their own, or any for leads and admins."""
    job = CustomerImport.objects.filter(pk=import_id).first()
    if job is None or (job.created_by_id != agent.pk and not _sees_all_imports(agent)):
        raise NotFound(_("Import not found."), code="import_not_found")
    return job


def _sees_all_imports(agent: Agent) -> bool:
    return can(agent, Capability.MANAGE_SETTINGS)


def do_confirm_import(agent: Agent, job: CustomerImport, mapping: dict[str, str]) -> None:
    """Save the mapping and queue the run (after commit, so the worker sees the row)."""
    require_import(agent)
    if job.created_by_id != agent.pk:
        raise Forbidden(_("Only the agent who uploaded the file can start it."), code="forbidden")
    clean = check_mapping(job.headers, mapping)
    with transaction.atomic():
        updated = CustomerImport.objects.filter(pk=job.pk, status=ImportStatus.MAPPING).update(
            mapping=clean, status=ImportStatus.QUEUED
        )
        if not updated:
            raise Conflict(_("This import was already started."), code="import_started")
        from .tasks import run_customer_import

        transaction.on_commit(lambda: run_customer_import.enqueue(job.pk))
    job.refresh_from_db()


def load_rows(job: CustomerImport) -> list[list[str]]:
    """The stored file's data rows, read the same way as at upload."""
    with job.file.open("rb") as handle:
        data = handle.read()
    text, _encoding = decode_csv(data)
    return read_rows(text)[1]


# ---- export ------------------------------------------------------------------------------

EXPORT_FIELDS = [f for f in IMPORT_FIELDS if f != "custom"]
EXPORT_BATCH = 1000


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def export_header() -> list[str]:
    return [str(IMPORT_FIELDS[f]) for f in EXPORT_FIELDS]


def export_row(customer: Customer) -> list[str]:
    """One customer as cells in EXPORT_FIELDS order; several handles joined with "; "."""
    from django.conf import settings

    from madoguchi.lib.handles import format_phone

    by_kind: dict[str, list[str]] = {}
    for identity in customer.identities.all():
        value = identity.handle
        if identity.kind in (IdentityKind.PHONE, IdentityKind.FAX):
            value = format_phone(value, settings.PHONE_DEFAULT_REGION)
        by_kind.setdefault(identity.kind, []).append(value)
    values = {
        "id": str(customer.pk),
        "name": customer.name,
        "name_kana": customer.name_kana,
        "email": "; ".join(by_kind.get(IdentityKind.EMAIL, [])),
        "phone": "; ".join(by_kind.get(IdentityKind.PHONE, [])),
        "fax": "; ".join(by_kind.get(IdentityKind.FAX, [])),
        "language": customer.language,
        "preferred_channel": customer.preferred_channel,
        "tags": ", ".join(customer.tags),
        "notes": customer.notes,
        "postal_code": customer.postal_code,
        "address": customer.address,
    }
    return [_safe_cell(values[f]) for f in EXPORT_FIELDS]


def export_lines(customers: Any) -> Iterator[str]:
    """CSV text in pieces: a BOM, the header, then customers by id in keyset batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(export_header())
    yield "\ufeff" + flush()
    last = 0
    while True:
        batch = list(
            customers.filter(pk__gt=last)
            .order_by("pk")
            .prefetch_related("identities")[:EXPORT_BATCH]
        )
        if not batch:
            return
        for customer in batch:
            writer.writerow(export_row(customer))
        last = batch[-1].pk
        yield flush()


def do_export_customers(agent: Agent, customers: Any) -> Iterator[str]:
    """Check the right to export, note it in the audit log, and hand back the CSV pieces."""
    require(agent, Capability.EXPORT)
    record_audit(agent, "customer.export", "customer", "", {"count": customers.count()})
    return export_lines(customers)


def report_lines(job: CustomerImport) -> Iterator[str]:
    """The rejected rows as CSV (row, column, reason), UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(_("Row")), str(_("Column")), str(_("Reason"))])
    for error in job.errors:
        writer.writerow([error.get("row", ""), error.get("column", ""), error.get("reason", "")])
    yield "\ufeff" + buffer.getvalue()
