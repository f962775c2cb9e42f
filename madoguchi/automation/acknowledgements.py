"""The receipt mail (受付完了メール) an email inbox can send for each new ticket.

Loop-proof by construction: it answers only mail a person wrote (the connector marks
automatic mail in `Message.meta["automatic"]`), goes out with Auto-Submitted: auto-replied,
and each address gets at most one per `AUTO_REPLY_MIN_MINUTES` and `AUTO_REPLY_DAILY_LIMIT`
a day, counted in AutomaticMail rows. Our receipt ↔ their vacation responder therefore stops
after one message on each side.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.core.events import Event, MessageAdded, OutboxQueued, TicketCreated, emit_on_commit
from madoguchi.inboxes.models import AutomaticMail, Inbox, InboxKind, Outbox
from madoguchi.lib.html import text_to_html
from madoguchi.tickets.models import AuthorKind, Delivery, Direction, Message, Ticket

PURPOSE = "receipt"
_VARIABLE = re.compile(r"\{\{\s*(ticket\.number|ticket\.subject|customer\.name|brand\.name)\s*\}\}")


def may_send_automatic(address: str) -> bool:
    """The per-address rate limit for every automatic mail, whatever sent it."""
    at = timezone.now()
    recent = AutomaticMail.objects.filter(address=address.lower())
    if recent.filter(sent_at__gte=at - timedelta(minutes=settings.AUTO_REPLY_MIN_MINUTES)).exists():
        return False
    return recent.filter(sent_at__gte=at - timedelta(days=1)).count() < (
        settings.AUTO_REPLY_DAILY_LIMIT
    )


def on_ticket_created(event: Event) -> None:
    if not isinstance(event, TicketCreated) or event.channel != InboxKind.EMAIL:
        return
    # Most inboxes send no receipt: find out without a transaction or a lock.
    wanted = Inbox.objects.filter(
        kind=InboxKind.EMAIL, tickets__pk=event.ticket_id, settings__auto_reply="on"
    ).exists()
    if wanted:
        send_receipt(event.ticket_id)


@transaction.atomic
def send_receipt(ticket_id: int) -> Message | None:
    """Queue the receipt for a new email ticket, when the inbox wants one and it is safe."""
    ticket = (
        Ticket.objects.select_for_update()
        .select_related("inbox", "customer", "brand")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.inbox.kind != InboxKind.EMAIL:
        return None
    options = ticket.inbox.settings or {}
    if options.get("auto_reply") != "on":
        return None
    first = Message.objects.filter(ticket=ticket).order_by("pk").first()
    if first is None or first.direction != Direction.INBOUND or first.meta.get("automatic"):
        return None
    address = ((first.meta.get("email") or {}).get("from") or "").lower()
    if not address or not may_send_automatic(address):
        return None
    with translation.override(ticket.customer.language or settings.LANGUAGE_CODE):
        subject = options.get("auto_reply_subject") or _("We have received your inquiry")
        body = options.get("auto_reply_body") or _(
            "Thank you for contacting {{brand.name}}.\n\n"
            "We have received your inquiry as ticket {{ticket.number}} and will answer as soon"
            " as we can. Please keep the ticket number in the subject when you write again."
        )
    values = {
        "ticket.number": f"#{ticket.number}",
        "ticket.subject": ticket.subject,
        "customer.name": ticket.customer.name,
        "brand.name": ticket.brand.name,
    }

    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    subject, body = _VARIABLE.sub(fill, subject)[:250], _VARIABLE.sub(fill, body)
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        inbox=ticket.inbox,
        direction=Direction.OUTBOUND,
        author_kind=AuthorKind.SYSTEM,
        subject=subject,
        body_text=body,
        body_html=text_to_html(body),
        delivery=Delivery.QUEUED,
        meta={"automatic": "auto_reply", "route": {"transport": "email", "to": address}},
        created_at=now,
    )
    Ticket.objects.filter(pk=ticket.pk).update(message_count=ticket.message_count + 1)
    AutomaticMail.objects.create(inbox=ticket.inbox, address=address, purpose=PURPOSE)
    outbox = Outbox.objects.create(message=message, inbox=ticket.inbox)
    emit_on_commit(OutboxQueued(outbox_id=outbox.pk))
    emit_on_commit(MessageAdded(ticket_id=ticket.pk, message_id=message.pk, internal=False))
    return message
