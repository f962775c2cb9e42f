"""Notification actions: create one (with its live badge update and email copy), mark read.

Every write on notifications goes through here: the event subscribers, the console and tests
call the same functions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.core.events import NotificationCreated, emit_on_commit
from madoguchi.tickets.access import visible_tickets
from madoguchi.tickets.models import Ticket

from .models import Notification, NotificationKind

logger = logging.getLogger(__name__)
# At most this many ids in one "mark read" request; the page shows fewer.
MAX_MARK_IDS = 500
EXCERPT_CHARS = 140


def can_see(agent: Agent, ticket_id: int) -> bool:
    """Only agents who may still open the ticket hear about it (outsourced scope, deactivation)."""
    if not agent.user.is_active:
        return False
    return visible_tickets(agent).filter(pk=ticket_id).exists()


def notify(
    recipient: Agent,
    kind: str,
    ticket: Ticket,
    *,
    message_id: int | None = None,
    actor: Agent | None = None,
) -> Notification | None:
    """One notification for one agent, or None when they cannot see the ticket.

    After commit the realtime layer hears NotificationCreated (live badge) and, when the agent
    wants them, the email copy is queued.
    """
    if kind not in NotificationKind.values:
        raise ValidationFailed(_("Unknown notification kind."), code="invalid_notification_kind")
    if not can_see(recipient, ticket.pk):
        return None
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=recipient,
            kind=kind,
            ticket=ticket,
            message_id=message_id,
            actor=actor,
        )
        emit_on_commit(NotificationCreated(notification_id=notification.pk, agent_id=recipient.pk))
        if recipient.email_notifications and recipient.user.email:
            pk = notification.pk
            transaction.on_commit(lambda: queue_email(pk))
    return notification


def queue_email(notification_id: int) -> bool:
    """Hand the email copy to the task worker; a failure to enqueue costs only the email."""
    from .tasks import send_notification_email

    try:
        send_notification_email.enqueue(notification_id)
    except Exception:
        logger.exception("notification %s: could not enqueue the email copy", notification_id)
        return False
    return True


def _clean_ids(ids: Iterable[object]) -> list[int]:
    clean: list[int] = []
    for value in ids:
        if isinstance(value, bool):
            raise ValidationFailed(_("Notification ids must be numbers."), code="invalid_ids")
        try:
            clean.append(int(value))  # type: ignore[call-overload]
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(
                _("Notification ids must be numbers."), code="invalid_ids"
            ) from exc
    if len(clean) > MAX_MARK_IDS:
        raise ValidationFailed(_("Too many notifications at once."), code="too_many_ids")
    return clean


def do_mark_read(agent: Agent, ids: Iterable[object]) -> int:
    """Mark the agent's own notifications read; ids of other agents' rows change nothing."""
    clean = _clean_ids(ids)
    if not clean:
        return 0
    return Notification.objects.filter(recipient=agent, pk__in=clean, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def do_mark_all_read(agent: Agent) -> int:
    return Notification.objects.filter(recipient=agent, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def do_open(agent: Agent, notification_id: int) -> Notification:
    """The agent follows a notification: it is marked read; someone else's does not exist."""
    notification = Notification.objects.filter(recipient=agent, pk=notification_id).first()
    if notification is None:
        raise NotFound(_("Notification not found."), code="notification_not_found")
    if notification.read_at is None:
        do_mark_read(agent, [notification.pk])
    return notification


def do_set_email_notifications(agent: Agent, enabled: bool) -> Agent:
    """The agent's own choice to also get their notifications by email."""
    if not isinstance(enabled, bool):
        raise ValidationFailed(_("Choose on or off."), code="invalid_choice")
    if agent.email_notifications != enabled:
        agent.email_notifications = enabled
        agent.save(update_fields=["email_notifications"])
    return agent


def describe(notification: Notification) -> str:
    """The one-line text of a notification in the active language (page, email subject)."""
    number = notification.ticket.number
    actor = notification.actor.display_name if notification.actor_id and notification.actor else ""
    if notification.kind == NotificationKind.MENTION:
        if actor:
            return gettext("%(actor)s mentioned you on #%(number)s") % {
                "actor": actor,
                "number": number,
            }
        return gettext("You were mentioned on #%(number)s") % {"number": number}
    if notification.kind == NotificationKind.ASSIGNED:
        if actor:
            return gettext("%(actor)s assigned #%(number)s to you") % {
                "actor": actor,
                "number": number,
            }
        return gettext("#%(number)s was assigned to you") % {"number": number}
    customer = notification.ticket.customer.name if notification.ticket.customer_id else ""
    if customer:
        return gettext("%(customer)s replied on #%(number)s") % {
            "customer": customer,
            "number": number,
        }
    return gettext("The customer replied on #%(number)s") % {"number": number}


def excerpt(notification: Notification) -> str:
    """The start of the note or reply the notification is about, on one line."""
    message = notification.message
    if message is None:
        return ""
    text = " ".join(message.body_text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
