"""Event rules that create notifications: mentions, assignments, customer replies.

They run after the triggering transaction committed (core.events), each in its own.
"""

from __future__ import annotations

from madoguchi.accounts.models import Agent
from madoguchi.core.events import Event, MessageAdded, MessageReceived, TicketUpdated
from madoguchi.tickets.models import Ticket

from .models import Notification, NotificationKind
from .notifications import notify


def on_message_added(event: Event) -> None:
    """Everyone named with `@` in a note hears about it, except the author."""
    if not isinstance(event, MessageAdded) or not event.mentions:
        return
    ticket = Ticket.objects.filter(pk=event.ticket_id).first()
    if ticket is None:
        return
    actor = (
        Agent.objects.filter(pk=event.author_agent_id).first() if event.author_agent_id else None
    )
    recipients = (
        Agent.objects.select_related("user")
        .filter(pk__in=set(event.mentions))
        .exclude(pk=event.author_agent_id or 0)
        .order_by("pk")
    )
    for recipient in recipients:
        notify(
            recipient,
            NotificationKind.MENTION,
            ticket,
            message_id=event.message_id,
            actor=actor,
        )


def on_ticket_updated(event: Event) -> None:
    """The new assignee hears "assigned to you", unless they took the ticket themselves."""
    if not isinstance(event, TicketUpdated):
        return
    change = event.changes.get("assignee")
    if not change or not change[1]:
        return
    new = change[1]
    try:
        assignee_id = int(new)
    except ValueError:
        return
    actor_id = event.actor_agent_id
    if actor_id == assignee_id:
        return
    ticket = Ticket.objects.filter(pk=event.ticket_id, assignee_id=assignee_id).first()
    assignee = Agent.objects.select_related("user").filter(pk=assignee_id).first()
    if ticket is None or assignee is None:
        return  # reassigned again before this ran: the later event speaks for it
    actor = Agent.objects.filter(pk=actor_id).first() if actor_id else None
    notify(assignee, NotificationKind.ASSIGNED, ticket, actor=actor)


def on_message_received(event: Event) -> None:
    """A customer wrote on an assigned ticket: its assignee hears about it.

    One unread "customer replied" per ticket is enough: further messages before the agent
    looks add no new notification (and no new email).
    """
    if not isinstance(event, MessageReceived):
        return
    ticket = (
        Ticket.objects.select_related("assignee__user")
        .filter(pk=event.ticket_id, assignee__isnull=False, is_spam=False)
        .first()
    )
    if ticket is None or ticket.assignee is None:
        return
    pending = Notification.objects.filter(
        recipient_id=ticket.assignee_id,
        ticket_id=ticket.pk,
        kind=NotificationKind.CUSTOMER_REPLY,
        read_at__isnull=True,
    ).exists()
    if pending:
        return
    notify(ticket.assignee, NotificationKind.CUSTOMER_REPLY, ticket, message_id=event.message_id)
