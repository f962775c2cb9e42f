"""Agent, bot and system replies and internal notes: Message + Outbox in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.connectors import registry
from madoguchi.core.errors import Conflict, ValidationFailed
from madoguchi.core.events import MessageAdded, OutboxQueued, emit_on_commit
from madoguchi.customers.models import Identity
from madoguchi.inboxes.models import Outbox
from madoguchi.lib.html import text_to_html

from ..access import get_ticket_for_write
from ..indexing import index_new_message
from ..models import AuthorKind, Delivery, Direction, Message, Status, Ticket, storage_name
from .changes import apply_changes
from .opening import preview_of

MAX_BODY_CHARS = 100_000


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
    limit = registry.get(ticket.channel).max_reply_chars
    if not internal and limit and len(body) > limit:
        raise ValidationFailed(
            _("This channel accepts at most %(limit)d characters.") % {"limit": limit},
            code="reply_too_long",
            details={"limit": limit},
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
    handles: dict[str, list[str]] = {}
    for kind, handle in (
        Identity.objects.filter(customer_id=customer_id)
        .order_by("-is_primary", "id")
        .values_list("kind", "handle")
    ):
        handles.setdefault(kind, []).append(handle)
    return handles


@transaction.atomic
def do_reply(
    agent: Agent,
    ticket_id: int,
    body: str,
    *,
    internal: bool = False,
    subject: str = "",
    attachments: list[NewAttachment] | None = None,
    expected_last_message_id: int | None = None,
    set_status: str = "",
    author_kind: str = AuthorKind.AGENT,
    at: datetime | None = None,
) -> Message:
    """Write a reply or an internal note; a public reply on a channel that can send is queued
    in the outbox in the same transaction, so it is delivered exactly when it is committed."""
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
    now = at or timezone.now()
    route = None
    if not internal:
        route = registry.get(ticket.channel).reply_route(
            customer_handles(ticket.customer_id), ticket.customer.name
        )
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
        meta={"route": {"transport": route.transport, "to": route.to}} if route else {},
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
    if not internal:
        target = set_status or (Status.OPEN if ticket.status == Status.NEW else "")
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
        )
    )
    return message
