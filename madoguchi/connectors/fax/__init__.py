"""FAX orders and letters: an agent uploads the scan and links the customer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from madoguchi.core.errors import ValidationFailed
from madoguchi.inboxes.messages import InboundAttachment, InboundMessage, SenderHandle

from ..base import RepliesByEmail
from ..registry import register

ACCEPTED_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/tiff", "image/gif"}


class FaxConnector(RepliesByEmail):
    kind = "fax"


@dataclass(frozen=True)
class FaxUpload:
    filename: str
    content_type: str
    data: bytes
    note: str
    irregular_order: bool
    fax_number: str = ""
    sender_name: str = ""
    customer_id: int | None = None
    ticket_id: int | None = None


def parse(inbox_id: int, fax: FaxUpload, agent_id: int) -> InboundMessage:
    """An uploaded scan as an inbound message from the sender, logged by `agent_id`."""
    if not fax.data:
        raise ValidationFailed(_("The uploaded file is empty."), code="empty_file")
    if fax.content_type not in ACCEPTED_TYPES:
        raise ValidationFailed(
            _("Upload the FAX as a PDF or an image (PNG, JPEG, TIFF, GIF)."),
            code="invalid_file_type",
            details=sorted(ACCEPTED_TYPES),
        )
    # The same scan uploaded twice is one message: the content hash is the delivery id.
    digest = hashlib.sha256(fax.data).hexdigest()[:40]
    kind_label = _("FAX order") if fax.irregular_order else _("FAX")
    return InboundMessage(
        inbox_id=inbox_id,
        external_id=f"fax-{digest}",
        sender=SenderHandle("fax", fax.fax_number) if fax.fax_number else None,
        sender_name=fax.sender_name,
        customer_id=fax.customer_id,
        ticket_id=fax.ticket_id,
        subject=f"{kind_label}: {fax.sender_name or fax.fax_number or fax.filename}"[:120],
        body_text=fax.note or str(kind_label),
        attachments=[InboundAttachment(fax.filename, fax.content_type, fax.data)],
        tags=["fax", "irregular-order"] if fax.irregular_order else ["fax"],
        meta={
            "fax": {
                "number": fax.fax_number,
                "irregular_order": fax.irregular_order,
                "filename": fax.filename,
            }
        },
        # The customer sent it; the agent who scanned it in is recorded and permission-checked.
        logged_by_agent_id=agent_id,
    )


register(FaxConnector())
