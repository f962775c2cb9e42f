"""A bounce or complaint about a mail we sent: find that mail, mark its delivery failed.

The bounce itself never becomes a ticket. It is attached to the ticket whose reply bounced
(the raw mail row points there, the timeline says so and the reply shows the failure), and
a hard bounce is told apart from a soft one so the agent knows whether to try again.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from madoguchi.core.events import MessageDeadLettered, emit_on_commit
from madoguchi.lib.mail.tokens import ticket_from_token
from madoguchi.lib.mail.types import Classification, MailKind
from madoguchi.tickets import timeline
from madoguchi.tickets.models import Delivery, Direction, Message, Ticket

MAX_RECIPIENTS = 20


def record_bounce(
    inbox_id: int, verdict: Classification, *, subject: str = ""
) -> tuple[int | None, int | None]:
    """(ticket id, message id) the bounce belongs to, or (None, None) when it is not ours.

    Most bounces an inbox gets are about mail we never sent (backscatter, a stranger's
    forwarded notice): those are answered by one look-up and no transaction. Only a bounce
    about one of our mails opens a transaction and locks that message.
    """
    original = verdict.original_message_id
    message_id = _sent_message(original) if original else None
    if message_id is None:
        ticket_id = ticket_from_token(original)
        if not ticket_id:
            return None, None
        with transaction.atomic():
            ticket = Ticket.objects.filter(pk=ticket_id).first()
            if ticket is None:
                return None, None
            _record(ticket, verdict, message=None)
        return ticket.pk, None
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:  # deleted since the look-up (its ticket was deleted)
            return None, None
        ticket = Ticket.objects.get(pk=message.ticket_id)
        _record(ticket, verdict, message=message)
    return ticket.pk, message.pk


def _sent_message(original: str) -> int | None:
    """The outbound message whose Message-ID (or provider id) the bounce names, in one query.

    Our own Message-ID stored on the message comes first, the provider's id in the outbox
    after it (the newest outbox row). Both are indexed (message_out_external_idx,
    outbox_provider_id_idx).
    """
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT id FROM tickets_message"
            " WHERE external_id = %s AND direction = %s ORDER BY id LIMIT 1),"
            " (SELECT message_id FROM inboxes_outbox"
            " WHERE provider_message_id = %s ORDER BY created_at DESC, id DESC LIMIT 1)",
            [original, Direction.OUTBOUND.value, original],
        )
        found = cur.fetchone()
    return found[0] if found[0] is not None else found[1]


def _record(ticket: Ticket, verdict: Classification, *, message: Message | None) -> None:
    complaint = verdict.kind == MailKind.COMPLAINT
    failed = [r for r in verdict.recipients if r.reason != "delivered"]
    if verdict.recipients and not failed and not complaint:
        return  # a success notice (Action: delivered): nothing went wrong
    hard = any(r.hard for r in failed)
    recipients = [
        {"address": r.address, "status": r.status, "reason": r.reason, "hard": r.hard}
        for r in failed[:MAX_RECIPIENTS]
    ]
    first = failed[0] if failed else None
    reason = "complaint" if complaint else (first.reason if first else "") or "undefined"
    timeline.record(
        ticket,
        "complaint" if complaint else "bounce",
        field="delivery",
        old=first.address if first else "",
        new=f"{'hard' if hard else 'soft'}:{reason}",
        at=timezone.now(),
    )
    if message is None:
        return
    meta = dict(message.meta or {})
    meta["bounce"] = {
        "kind": verdict.kind,
        "hard": hard,
        "reason": reason,
        "why": verdict.why,
        "recipients": recipients,
    }
    fields = ["meta"]
    message.meta = meta
    if not complaint:
        message.delivery = Delivery.FAILED
        fields.append("delivery")
    message.save(update_fields=fields)
    if not complaint:
        summary = "; ".join(
            f"{r['address']} {r['status']} {r['reason']}".strip() for r in recipients
        )
        emit_on_commit(MessageDeadLettered(message_id=message.pk, error=summary or verdict.why))
