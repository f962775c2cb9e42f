"""Every inbound mail path (IMAP, SMTP listener, provider webhooks, import) ends here.

`receive()` first stores the raw bytes, compressed, in their own committed transaction; only
then is the mail parsed, classified, threaded and handed to `ingest()`. A failure after the
store leaves a RawMail row marked failed with its error, which an admin can re-process.
"""

from __future__ import annotations

import hashlib
import logging
import zlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.inboxes.models import Inbox, InboxKind, RawMail, RawMailSource

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
    inbox = Inbox.objects.filter(pk=inbox_id, kind=InboxKind.EMAIL).first()
    if inbox is None:
        raise NotFound(_("Email inbox not found."), code="inbox_not_found")
    digest = hashlib.sha256(raw).hexdigest()
    existing = RawMail.objects.filter(inbox=inbox, sha256=digest).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return RawMail.objects.create(
                inbox=inbox,
                source=source,
                source_ref=source_ref[:255],
                sha256=digest,
                size=len(raw),
                data=compress(raw),
            )
    except IntegrityError:
        # A twin (the same mail through two paths at once) committed first.
        return RawMail.objects.get(inbox=inbox, sha256=digest)
