"""Admin actions on an email inbox: test its servers, re-process a stored mail.

Both are for leads and admins (MANAGE_SETTINGS) and both leave an audit row. A connection
test reaches out to a host the admin typed, so it is rate-limited per agent: the settings page
must not become a free port scanner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent, AuditEntry
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError, NotFound, ValidationFailed
from madoguchi.inboxes.channel_fields import clean_value, spec_for
from madoguchi.inboxes.models import Inbox, InboxKind, RawMail

from .connection_test import ConnectionResult, check_imap, check_smtp

TESTS_PER_MINUTE = 10
CHECKS = {"imap": check_imap, "smtp": check_smtp}


class TooManyTests(DomainError):
    status = 429
    code = "rate_limited"


def _values(
    values: Mapping[str, Any], stored: Mapping[str, Any], clear: Iterable[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The form's current settings, and its secrets with blanks filled from the stored ones."""
    settings: dict[str, str] = {}
    secrets: dict[str, str] = {}
    cleared = set(clear)
    for field in spec_for(InboxKind.EMAIL).fields:
        try:
            value = clean_value(field, values.get(field.key, ""))
        except ValidationError as exc:
            raise ValidationFailed(
                " ".join(exc.messages), code=f"invalid_{field.key}", details={"field": field.key}
            ) from exc
        if not field.secret:
            settings[field.key] = value
        elif value:
            secrets[field.key] = value
        elif field.key not in cleared and stored.get(field.key):
            secrets[field.key] = str(stored[field.key])
    return settings, secrets


def do_test_connection(
    actor: Agent,
    which: str,
    values: Mapping[str, Any],
    *,
    inbox_id: int | None = None,
    clear_secrets: Iterable[str] = (),
) -> ConnectionResult:
    """Test the IMAP or SMTP settings as typed (saved or not); blank secrets use the stored."""
    require(actor, Capability.MANAGE_SETTINGS)
    check = CHECKS.get(which)
    if check is None:
        raise NotFound(_("Unknown connection test."), code="invalid_test")
    stored: Mapping[str, Any] = {}
    if inbox_id is not None:
        inbox = Inbox.objects.filter(pk=inbox_id, kind=InboxKind.EMAIL).first()
        if inbox is None:
            raise NotFound(_("Email inbox not found."), code="inbox_not_found")
        stored = cast(dict[str, Any], inbox.credentials or {})
    settings, secrets = _values(values, stored, clear_secrets)
    since = timezone.now() - timedelta(minutes=1)
    recent = AuditEntry.objects.filter(
        actor=actor, action="inbox.connection_test", created_at__gte=since
    ).count()
    if recent >= TESTS_PER_MINUTE:
        raise TooManyTests(
            _("Too many connection tests. Wait a minute and try again."), code="rate_limited"
        )
    host = settings.get(f"{which}_host", "")
    entry = record_audit(
        actor,
        "inbox.connection_test",
        "inbox",
        inbox_id or "",
        {"test": which, "host": host, "port": settings.get(f"{which}_port", "")},
    )
    result = check(settings, secrets)
    entry.data = {**entry.data, "ok": result.ok, "result": result.code}
    entry.save(update_fields=["data"])
    return result


def do_reprocess_raw_mail(actor: Agent, raw_mail_id: int) -> RawMail:
    """Parse, classify, thread and ingest a stored mail again (after a parser fix, say)."""
    require(actor, Capability.MANAGE_SETTINGS)
    raw_mail = RawMail.objects.filter(pk=raw_mail_id).first()
    if raw_mail is None:
        raise NotFound(_("Received mail not found."), code="raw_mail_not_found")
    before = raw_mail.state
    # Imported here: the parsing stack loads when a mail is processed, not with the settings.
    from .inbound import process_raw

    # process_raw commits on its own (ingest emits its events on commit); it never raises for
    # a bad mail, it records the error on the row instead.
    processed = process_raw(raw_mail.pk)
    record_audit(
        actor,
        "raw_mail.reprocess",
        "raw_mail",
        processed.pk,
        {
            "inbox": processed.inbox_id,
            "changes": {"state": [before, processed.state]},
            "ticket": processed.ticket_id,
        },
    )
    return processed
