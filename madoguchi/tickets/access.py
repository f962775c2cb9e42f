"""Which tickets an agent may see and act on. Enforced in queries, never in templates."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, can, require
from madoguchi.core.errors import NotFound

from .models import Ticket


def scope_q(agent: Agent, prefix: str = "") -> Q:
    """A filter limiting rows to the agent's scope; empty for roles that see everything."""
    if can(agent, Capability.VIEW_ALL):
        return Q()
    if not agent.user.is_active:
        return Q(pk__in=[])
    from madoguchi.inboxes.models import Inbox

    inbox_ids = Inbox.granted_agents.through.objects.filter(agent_id=agent.pk).values("inbox_id")
    team_ids = Agent.teams.through.objects.filter(agent_id=agent.pk).values("team_id")
    return Q(**{f"{prefix}inbox_id__in": inbox_ids}) | Q(**{f"{prefix}team_id__in": team_ids})


def visible_tickets(agent: Agent) -> QuerySet[Ticket]:
    return Ticket.objects.filter(scope_q(agent))


def get_visible_ticket(agent: Agent, ticket_id: int, *, for_update: bool = False) -> Ticket:
    """The ticket, or NotFound: a ticket outside the agent's scope does not exist for them."""
    qs = visible_tickets(agent)
    if for_update:
        qs = qs.select_for_update()
    ticket = qs.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("Ticket not found."), code="ticket_not_found")
    return ticket


def get_ticket_for_write(agent: Agent, ticket_id: int) -> Ticket:
    """Visible and writable (role has WRITE), locked for the rest of the transaction."""
    require(agent, Capability.WRITE)
    return get_visible_ticket(agent, ticket_id, for_update=True)


def visible_customers(agent: Agent):  # type: ignore[no-untyped-def]
    """Customers the agent may see: all for VIEW_ALL roles, else those with a ticket in scope."""
    from madoguchi.customers.models import Customer

    qs = Customer.objects.filter(merged_into__isnull=True)
    if can(agent, Capability.VIEW_ALL):
        return qs
    return qs.filter(pk__in=visible_tickets(agent).values("customer_id"))


def get_visible_customer(agent: Agent, customer_id: int):  # type: ignore[no-untyped-def]
    customer = visible_customers(agent).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."), code="customer_not_found")
    return customer


def working_inboxes(agent: Agent):  # type: ignore[no-untyped-def]
    """Inboxes the agent works: all for roles that see everything; otherwise those granted
    to them and those whose default team is one of theirs (new tickets there land in their
    scope). The console, the API and ingest all ask this one question."""
    from madoguchi.inboxes.models import Inbox

    qs = Inbox.objects.select_related("brand")
    if can(agent, Capability.VIEW_ALL):
        return qs
    if not agent.user.is_active:
        return qs.none()
    granted = Inbox.granted_agents.through.objects.filter(agent_id=agent.pk).values("inbox_id")
    team_ids = Agent.teams.through.objects.filter(agent_id=agent.pk).values("team_id")
    return qs.filter(Q(pk__in=granted) | Q(default_team_id__in=team_ids))
