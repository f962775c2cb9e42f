"""Inbox and outbox scope for the API, built on tickets.access and accounts.permissions.

Outsourced agents see only the inboxes granted to them; everyone with VIEW_ALL sees all.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.inboxes.models import Inbox, Outbox
from madoguchi.tickets.access import scope_q, working_inboxes


def visible_inboxes(agent: Agent) -> QuerySet[Inbox]:
    return working_inboxes(agent)


def inbox_for_new_ticket(agent: Agent, inbox_id: int) -> Inbox:
    """The inbox a ticket may be opened in: the role writes, the inbox is in scope and on."""
    require(agent, Capability.WRITE)
    inbox = visible_inboxes(agent).filter(pk=inbox_id).first()
    if inbox is None:
        raise NotFound(_("Inbox not found."), code="inbox_not_found")
    if not inbox.is_active:
        raise ValidationFailed(_("This inbox is switched off."), code="inbox_inactive")
    return inbox


def visible_outbox(agent: Agent) -> QuerySet[Outbox]:
    """Outbox rows of tickets the agent may see."""
    return Outbox.objects.filter(scope_q(agent, prefix="message__ticket__"))
