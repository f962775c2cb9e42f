"""Agent, bot and system replies and internal notes: Message + Outbox in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.connectors import registry
from madoguchi.connectors.base import ReplyRoute
from madoguchi.core.errors import Conflict, ValidationFailed
from madoguchi.core.events import MessageAdded, OutboxQueued, emit_on_commit
from madoguchi.customers.models import Identity
from madoguchi.inboxes.models import Outbox
from madoguchi.lib.html import text_to_html

from ..access import get_ticket_for_write
from ..indexing import index_new_message
from ..mentions import find_mentions
from ..models import AuthorKind, Delivery, Direction, Message, Status, Ticket, storage_name
from ..reply_limits import reply_limit
from .changes import apply_changes
from .opening import preview_of

MAX_BODY_CHARS = 100_000
MAX_CC = 10
MAX_SUBJECT_CHARS = 250


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    data: bytes


def check_reply(
    agent: Agent,
    ticket: Ticket,
    body: str,
    *,
    internal: bool,
    attachments: list[NewAttachment],
    expected_last_message_id: int | None,
) -> None:
    """Refuse empty, oversized or stale replies before anything is written."""
    if not isinstance(body, str):
        raise ValidationFailed(_("The reply must be text."), code="invalid_reply")
    if ticket.merged_into_id:
        raise Conflict(
            _("This ticket was merged into another ticket."),
            code="ticket_merged",
            details={"merged_into": ticket.merged_into_id},
        )
    if not body.strip() and not attachments:
        raise ValidationFailed(_("The reply is empty."), code="empty_reply")
    if len(body) > MAX_BODY_CHARS:
        raise ValidationFailed(_("The reply is too long."), code="reply_too_long")
    limit = reply_limit(ticket.channel)
    if not internal and limit and len(body) > limit:
        raise ValidationFailed(
            _("This channel accepts at most %(limit)d characters.") % {"limit": limit},
            code="reply_too_long",
            details={"limit": limit, "length": len(body)},
        )
    for attachment in attachments:
        if not attachment.filename.strip():
            raise ValidationFailed(_("An attachment has no file name."), code="invalid_attachment")
        if len(attachment.data) > settings.MAX_ATTACHMENT_BYTES:
            raise ValidationFailed(
                _("%(name)s is larger than the attachment limit.") % {"name": attachment.filename},
                code="attachment_too_large",
            )
    if expected_last_message_id is not None:
        newer = list(
            ticket.messages.filter(pk__gt=expected_last_message_id)
            .exclude(author_agent=agent)
            .exclude(is_internal=True, author_kind=AuthorKind.SYSTEM)
            .values_list("pk", flat=True)
        )
        if newer:
            raise Conflict(
                _("New messages arrived on this ticket since you opened it."),
                code="stale_ticket",
                details={"new_message_ids": newer},
            )


def customer_handles(customer_id: int) -> dict[str, list[str]]:
    """The customer's handles by kind, primary first: what a connector routes a reply to."""
    return handles_of(Identity.objects.filter(customer_id=customer_id))


def handles_of(identities: Iterable[Identity]) -> dict[str, list[str]]:
    """`customer_handles` for identities already loaded (the ticket page has them)."""
    handles: dict[str, list[str]] = {}
    for identity in sorted(identities, key=lambda i: (not i.is_primary, i.pk)):
        handles.setdefault(identity.kind, []).append(identity.handle)
    return handles


def _is_address(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def mail_headers(
    route: ReplyRoute | None,
    handles: dict[str, list[str]],
    *,
    to: str,
    cc: list[str],
    subject: str,
) -> tuple[str, list[str]]:
    """Check the agent's To / Cc / Subject of a public reply; returns (to, cc) to store.

    To must be one of the customer's own addresses (a reply never goes to a stranger by a
    typo); Cc is free but must be addresses; none of it applies to a channel that is not mail.
    """
    to = (to or "").strip()
    cc = [c.strip() for c in cc if c and c.strip()]
    if len(subject) > MAX_SUBJECT_CHARS or "\n" in subject or "\r" in subject:
        raise ValidationFailed(
            _("The subject is too long or has line breaks."), code="invalid_subject"
        )
    if route is None or route.transport != "email":
        if to or cc:
            raise ValidationFailed(
                _("To and Cc apply only to replies sent by email."), code="recipients_not_mail"
            )
        return "", []
    known = {h.lower(): h for h in handles.get("email", [])}
    if to and to.lower() not in known:
        raise ValidationFailed(
            _("%(address)s is not one of this customer's email addresses.") % {"address": to},
            code="invalid_recipient",
            details={"choices": list(known.values())},
        )
    if len(cc) > MAX_CC:
        raise ValidationFailed(
            _("At most %(count)d Cc addresses.") % {"count": MAX_CC}, code="too_many_cc"
        )
    bad = [c for c in cc if not _is_address(c)]
    if bad:
        raise ValidationFailed(
            _("Not an email address: %(addresses)s") % {"addresses": ", ".join(bad)},
            code="invalid_cc",
            details={"invalid": bad},
        )
    to = known.get(to.lower(), route.to) if to else route.to
    # The customer is already in To; the same address twice in Cc is noise.
    seen = {to.lower()}
    unique = []
    for address in cc:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return to, unique


@transaction.atomic
def do_reply(
    agent: Agent,
    ticket_id: int,
    body: str,
    *,
    internal: bool = False,
    subject: str = "",
    to: str = "",
    cc: list[str] | None = None,
    attachments: list[NewAttachment] | None = None,
    expected_last_message_id: int | None = None,
    set_status: str = "",
    author_kind: str = AuthorKind.AGENT,
    at: datetime | None = None,
) -> Message:
    """Write a reply or an internal note; a public reply on a channel that can send is queued
    in the outbox in the same transaction, so it is delivered exactly when it is committed.

    Email replies may name the To address (one of the customer's), Cc and a Subject; a note
    records the agents it `@`-mentions, and the MessageAdded event carries them.
    """
    attachments = attachments or []
    ticket = get_ticket_for_write(agent, ticket_id)
    if author_kind not in (AuthorKind.AGENT, AuthorKind.BOT, AuthorKind.SYSTEM):
        raise ValidationFailed(_("Unknown author."), code="invalid_author")
    if set_status and set_status not in Status.values:
        raise ValidationFailed(_("Unknown status."), code="invalid_status", details=Status.values)
    if body is None:
        body = ""
    if isinstance(body, str):
        body = body.replace("\r\n", "\n")
    check_reply(
        agent,
        ticket,
        body,
        internal=internal,
        attachments=attachments,
        expected_last_message_id=expected_last_message_id,
    )
    if not isinstance(subject, str) or not isinstance(to, str):
        raise ValidationFailed(_("Subject and To must be text."), code="invalid_reply")
    subject = subject.strip()
    now = at or timezone.now()
    route = None
    meta: dict[str, Any] = {}
    mentions: list[int] = []
    if internal:
        if to or cc:
            raise ValidationFailed(
                _("To and Cc apply only to replies sent by email."), code="recipients_not_mail"
            )
        mentions = find_mentions(body)
        if mentions:
            meta["mentions"] = mentions
    else:
        handles = customer_handles(ticket.customer_id)
        route = registry.get(ticket.channel).reply_route(handles, ticket.customer.name)
        to, cc = mail_headers(route, handles, to=to, cc=list(cc or []), subject=subject)
        if route:
            meta["route"] = {"transport": route.transport, "to": to or route.to}
            if cc:
                meta["route"]["cc"] = cc
    message = Message.objects.create(
        ticket=ticket,
        inbox_id=ticket.inbox_id,
        direction=Direction.OUTBOUND,
        author_kind=author_kind,
        author_agent=agent if author_kind == AuthorKind.AGENT else None,
        is_internal=internal,
        subject=(subject or ticket.subject)[:250],
        body_text=body,
        body_html=text_to_html(body),
        delivery=Delivery.QUEUED if route else Delivery.NOT_SENT,
        meta=meta,
        created_at=now,
    )
    for item in attachments:
        att = message.attachments.model(
            message=message,
            filename=item.filename[:255],
            content_type=item.content_type or "application/octet-stream",
            size=len(item.data),
        )
        att.file.save(storage_name(item.filename), ContentFile(item.data), save=False)
        att.save()
    fields = ["updated_at", "message_count"]
    ticket.updated_at = now
    ticket.message_count += 1
    if not internal:
        ticket.preview = preview_of(body) or ticket.preview
        ticket.last_agent_message_at = now
        fields += ["preview", "last_agent_message_at"]
        if ticket.first_response_at is None and author_kind == AuthorKind.AGENT:
            ticket.first_response_at = now
            fields.append("first_response_at")
    ticket.save(update_fields=fields)
    # A reply opens a new ticket; a note changes the status only when the agent chose one.
    target = set_status
    if not target and not internal and ticket.status == Status.NEW:
        target = Status.OPEN
    if target and target != ticket.status:
        apply_changes(agent, ticket, {"status": target}, at=now)
    if route:
        outbox = Outbox.objects.create(message=message, inbox_id=ticket.inbox_id)
        emit_on_commit(OutboxQueued(outbox_id=outbox.pk))
    index_new_message(ticket, body, new_ticket=False)
    emit_on_commit(
        MessageAdded(
            ticket_id=ticket.pk,
            message_id=message.pk,
            internal=internal,
            author_agent_id=agent.pk if author_kind == AuthorKind.AGENT else None,
            # Naming yourself notifies nobody.
            mentions=tuple(i for i in mentions if i != agent.pk),
        )
    )
    return message
