"""Every inbound mail path (IMAP, SMTP listener, provider webhooks, import) ends here.

`receive()` first stores the raw bytes, compressed, in their own committed transaction; only
then is the mail parsed, classified, threaded and handed to `ingest()`. A failure after the
store leaves a RawMail row marked failed with its error, which an admin can re-process.

Throughput (DESIGN.md §7, bench/email_ingest.py): every connector calls `store_raw` and then
`process_raw(pk)` right away, so the store hands the bytes, the row and our own addresses it
just read over to the processing in memory (`_handoff`): no re-read, no decompression, and a
bounce costs four round trips in all. A handoff that is missing or old falls back to the
database, so a re-process or the sweeper behave exactly the same.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import zlib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.connectors.email.handoff import Handoff
from madoguchi.core.errors import DomainError, NotFound, ValidationFailed
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.mail_bounces import record_bounce
from madoguchi.inboxes.mail_images import link_inline_images
from madoguchi.inboxes.mail_threads import find_thread
from madoguchi.inboxes.messages import InboundAttachment, InboundMessage, SenderHandle
from madoguchi.inboxes.models import (
    Inbox,
    InboxKind,
    RawMail,
    RawMailSource,
    RawMailState,
)
from madoguchi.lib.handles import InvalidHandle, normalise_email
from madoguchi.lib.mail.loops import classify
from madoguchi.lib.mail.parsing import parse_mail
from madoguchi.lib.mail.quoting import cut_html_quote
from madoguchi.lib.mail.tokens import base_address
from madoguchi.lib.mail.types import (
    Classification,
    MailAddress,
    MailKind,
    MailParseError,
    ParsedMail,
)

logger = logging.getLogger(__name__)


def compress(raw: bytes) -> bytes:
    return zlib.compress(raw, 6)


def raw_bytes(raw_mail: RawMail) -> bytes:
    return zlib.decompress(bytes(raw_mail.data))


def store_raw(inbox_id: int, raw: bytes, *, source: str, source_ref: str = "") -> RawMail:
    """Durably keep one mail; the same bytes for the same inbox are stored once."""
    if source not in RawMailSource.values:
        raise ValidationFailed(_("Unknown mail source."), code="invalid_mail_source")
    if not raw.strip():
        raise ValidationFailed(_("The mail is empty."), code="empty_mail")
    if len(raw) > settings.MAIL_MAX_BYTES:
        raise ValidationFailed(
            _("The mail is larger than the size limit."),
            code="mail_too_large",
            details={"limit": settings.MAIL_MAX_BYTES},
        )
    # One round trip answers both "is it an email inbox" and "which addresses are ours".
    inboxes = _email_inboxes()
    if inbox_id not in inboxes:
        raise NotFound(_("Email inbox not found."), code="inbox_not_found")
    digest = hashlib.sha256(raw).hexdigest()
    row = RawMail(
        inbox_id=inbox_id,
        source=source,
        source_ref=source_ref[:255],
        sha256=digest,
        size=len(raw),
        data=compress(raw),
    )
    # Insert first: a twin is rare, so no look-up before. Outside a transaction the INSERT
    # commits on its own (no BEGIN / COMMIT round trips); inside one it gets a savepoint so
    # a twin's IntegrityError does not break the caller's transaction.
    nested = connection.in_atomic_block
    try:
        if nested:
            with transaction.atomic():
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)
    except IntegrityError:
        # The same bytes came in before, or a twin (two paths at once) committed first.
        existing = RawMail.objects.filter(inbox_id=inbox_id, sha256=digest).first()
        if existing is None:
            raise
        return existing
    if not nested:  # only what is committed (a rolled-back id may come again)
        _handoff.put(row.pk, raw, copy.copy(row), _ours(inboxes))
    return row


def _email_inboxes() -> dict[int, str]:
    """Every email inbox: id → address (plain SQL, on the path of every mail)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, address FROM inboxes_inbox WHERE kind = %s",
            [InboxKind.EMAIL.value],
        )
        return {pk: address for pk, address in cur.fetchall()}


def _ours(inboxes: dict[int, str]) -> frozenset[str]:
    return frozenset(base_address(address) for address in inboxes.values() if address)


_handoff = Handoff()


def receive(inbox_id: int, raw: bytes, *, source: str, source_ref: str = "") -> RawMail:
    """Store, then process. Raises only for what was refused before storing (too large …)."""
    stored = store_raw(inbox_id, raw, source=source, source_ref=source_ref)
    if stored.state != RawMailState.PENDING:
        return stored  # the same bytes came in before: already handled
    return process_raw(stored.pk)


# A mail the SMTP listener or a webhook stored but whose processing thread died with the
# process: the worker's sweeper picks it up after this long.
STRANDED_SECONDS = 60


def process_stranded(limit: int = 100) -> int:
    """Process stored mails left pending (a crash between the store and the processing)."""
    cutoff = timezone.now() - timedelta(seconds=STRANDED_SECONDS)
    ids = list(
        RawMail.objects.filter(state=RawMailState.PENDING, received_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        process_raw(pk)
    return len(ids)


def reprocess_failed(inbox_slug: str | None = None) -> dict[str, int]:
    """Run every failed mail (of one inbox) through the pipeline again; counts by new state."""
    failed = RawMail.objects.filter(state=RawMailState.FAILED)
    if inbox_slug:
        inbox = Inbox.objects.filter(slug=inbox_slug, kind=InboxKind.EMAIL).first()
        if inbox is None:
            raise NotFound(_("Email inbox not found."), code="inbox_not_found")
        failed = failed.filter(inbox=inbox)
    counts: dict[str, int] = {}
    for pk in failed.order_by("pk").values_list("pk", flat=True):
        state = process_raw(pk).state
        counts[state] = counts.get(state, 0) + 1
    return counts


def process_raw(raw_mail_id: int) -> RawMail:
    """Parse, classify, thread and ingest one stored mail; safe to run again.

    Never raises for a bad mail: the row ends failed with the error, visible to admins, and
    can be re-processed once the cause (a parser bug, a full disk) is fixed.
    """
    fresh = _handoff.take(raw_mail_id)
    if fresh is not None:
        raw_mail, raw, ours = fresh.row, fresh.raw, fresh.ours
    else:
        raw_mail = RawMail.objects.get(pk=raw_mail_id)
        raw, ours = raw_bytes(raw_mail), own_addresses()
    try:
        outcome = _process(raw_mail, raw, ours)
    except Exception as exc:
        logger.exception("raw mail %s: processing failed", raw_mail.pk)
        outcome = Outcome(RawMailState.FAILED, error=f"{type(exc).__name__}: {exc}"[:4000])
    now = timezone.now()
    values: dict[str, object] = {
        "state": outcome.state,
        "kind": outcome.kind,
        "error": outcome.error,
        "ticket_id": outcome.ticket_id,
        "message_id": outcome.message_id,
        "header_message_id": outcome.header_message_id[:255],
        "subject": outcome.subject[:250],
        "sender": outcome.sender[:320],
    }
    # Plain SQL: the statement every mail ends with, no query building for it.
    params: list[Any] = [
        *values.values(),
        connection.ops.adapt_datetimefield_value(now),
        raw_mail.pk,
    ]
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE inboxes_rawmail SET state = %s, kind = %s, error = %s, ticket_id = %s,"
            " message_id = %s, header_message_id = %s, subject = %s, sender = %s,"
            " processed_at = %s, attempts = attempts + 1 WHERE id = %s",
            params,
        )
    # The row as written, without reading it back (one round trip less per mail).
    for name, value in values.items():
        setattr(raw_mail, name, value)
    raw_mail.processed_at = now
    raw_mail.attempts += 1
    return raw_mail


@dataclass
class Outcome:
    state: str
    kind: str = ""
    error: str = ""
    ticket_id: int | None = None
    message_id: int | None = None
    header_message_id: str = ""
    subject: str = ""
    sender: str = ""


MAX_DEFECTS = 20


def own_addresses() -> frozenset[str]:
    """Every address our email inboxes send from: mail from them is our own coming back."""
    return _ours(_email_inboxes())


def _process(raw_mail: RawMail, raw: bytes, ours: frozenset[str]) -> Outcome:
    try:
        parsed = parse_mail(raw)
    except MailParseError as exc:
        return Outcome(RawMailState.FAILED, error=str(exc) or "unreadable mail")
    customer = customer_address(parsed, ours)
    outcome = Outcome(
        RawMailState.PENDING,
        header_message_id=parsed.message_id,
        subject=parsed.subject,
        sender=customer.address if customer else "",
    )
    verdict = classify(parsed.message, own_addresses=ours)
    outcome.kind = verdict.kind
    if verdict.kind == MailKind.OWN:
        outcome.state, outcome.error = RawMailState.IGNORED, verdict.why
        return outcome
    if verdict.kind in (MailKind.BOUNCE, MailKind.COMPLAINT):
        outcome.ticket_id, outcome.message_id = record_bounce(
            raw_mail.inbox_id, verdict, subject=parsed.subject
        )
        outcome.state, outcome.error = RawMailState.BOUNCE, verdict.why
        return outcome
    thread = find_thread(
        raw_mail.inbox_id,
        message_ids=[*parsed.in_reply_to, *reversed(parsed.references)],
        recipients=recipients_of(parsed, raw_mail),
        subject=parsed.subject,
        sender=customer.address if customer else "",
    )
    if (
        verdict.kind == MailKind.AUTO_REPLY
        and thread.ticket_id is None
        and not auto_generated(parsed.message)
    ):
        # A vacation reply to something that is not a ticket of ours: no noise ticket.
        outcome.state, outcome.error = RawMailState.IGNORED, verdict.why
        return outcome
    if customer is None:
        outcome.state = RawMailState.FAILED
        outcome.error = "no usable sender address (From / Reply-To)"
        return outcome
    inbound = _inbound(raw_mail, parsed, customer, thread.ticket_id, thread.rule, verdict)
    try:
        result = ingest(inbound)
    except DomainError as exc:
        outcome.state, outcome.error = RawMailState.FAILED, f"{exc.code}: {exc.message}"
        return outcome
    if not result.duplicate and inbound.body_html:
        link_inline_images(result.message_id, inbound.meta["email"]["content_ids"])
    outcome.state = RawMailState.INGESTED
    outcome.ticket_id, outcome.message_id = result.ticket_id, result.message_id
    if verdict.automatic:
        outcome.error = verdict.why
    return outcome


def customer_address(parsed: ParsedMail, ours: frozenset[str] | set[str]) -> MailAddress | None:
    """Reply-To when it names one outside address (forms sent "on behalf of"), else From."""
    candidates = [*(parsed.reply_to if len(parsed.reply_to) == 1 else []), parsed.sender]
    for candidate in candidates:
        if candidate is None or not candidate.address:
            continue
        try:
            address = normalise_email(candidate.address)
        except InvalidHandle:
            continue
        if base_address(address) in ours:
            continue
        return MailAddress(candidate.name, address)
    return None


def recipients_of(parsed: ParsedMail, raw_mail: RawMail) -> list[str]:
    found = [a.address for a in [*parsed.to, *parsed.cc] if a.address]
    for header in ("Delivered-To", "X-Original-To", "Envelope-To"):
        for value in _headers(parsed.message, header):
            found.append(value.strip().strip("<>"))
    if raw_mail.source == RawMailSource.SMTP and "@" in raw_mail.source_ref:
        found.append(raw_mail.source_ref)
    return found


def auto_generated(message: EmailMessage) -> bool:
    """RFC 3834 auto-generated (a shop system's notification) rather than auto-replied."""
    values = [v.strip().lower() for v in _headers(message, "Auto-Submitted")]
    return any(v.startswith("auto-generated") for v in values)


def _headers(message: EmailMessage, name: str) -> list[str]:
    try:
        return [str(v) for v in message.get_all(name) or []]
    except Exception:  # a header the stdlib cannot even parse: as if absent
        return []


def _inbound(
    raw_mail: RawMail,
    parsed: ParsedMail,
    customer: MailAddress,
    ticket_id: int | None,
    rule: str,
    verdict: Classification,
) -> InboundMessage:
    kept, dropped, content_ids = [], [], []
    for item in parsed.attachments:
        if len(item.data) > settings.MAX_ATTACHMENT_BYTES:
            dropped.append(item.filename)
            continue
        kept.append(InboundAttachment(item.filename, item.content_type, item.data))
        content_ids.append(item.content_id)
    trimmed = parsed.reply_text.strip() != parsed.text.strip()
    body_text = parsed.reply_text if parsed.reply_text.strip() else parsed.text
    # The timeline shows the answer without the quoted history; the original mail view has
    # everything. HTML is cut at the client's quote marker; when it has none but the text
    # had a quote, the trimmed text is shown instead.
    body_html = cut_html_quote(parsed.html) if parsed.html else ""
    if trimmed and body_html == parsed.html:
        body_html = ""
    trimmed = trimmed or body_html != parsed.html
    if not body_text.strip() and not body_html.strip() and not kept:
        body_text = parsed.subject or str(_("(empty mail)"))
    external_id = parsed.message_id
    if not external_id or len(external_id) > 255:
        external_id = f"sha256:{raw_mail.sha256}"
    meta: dict[str, object] = {
        "email": {
            "raw_mail_id": raw_mail.pk,
            "message_id": parsed.message_id,
            "from": customer.address,
            "to": [a.address for a in parsed.to if a.address][:50],
            "cc": [a.address for a in parsed.cc if a.address][:50],
            "thread_rule": rule,
            "kind": verdict.kind,
            "trimmed": trimmed,
            "forwarded": parsed.forwarded,
            "defects": parsed.defects[:MAX_DEFECTS],
            "dropped_attachments": dropped,
            "content_ids": content_ids,
        }
    }
    if verdict.automatic:
        meta["automatic"] = verdict.kind
    received = parsed.date if raw_mail.source == RawMailSource.IMPORT and parsed.date else None
    return InboundMessage(
        inbox_id=raw_mail.inbox_id,
        external_id=external_id,
        sender=SenderHandle("email", customer.address, customer.address),
        sender_name=customer.name,
        body_text=body_text,
        body_html=body_html,
        subject=parsed.subject,
        ticket_id=ticket_id,
        received_at=received,
        attachments=kept,
        meta=meta,
    )
