"""What each role may do. Queries use these; templates never decide permissions."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Forbidden

from .models import Agent, Role


class Capability(StrEnum):
    VIEW_ALL = "view_all"  # every ticket and customer, not only granted inboxes/teams
    WRITE = "write"  # reply, note, change tickets, create/update customers
    MERGE_TICKETS = "merge_tickets"
    MERGE_CUSTOMERS = "merge_customers"
    EXPORT = "export"
    MANAGE_SETTINGS = "manage_settings"  # inboxes, macros, teams, tokens of others
    MANAGE_AGENTS = "manage_agents"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.LEAD: frozenset(Capability) - {Capability.MANAGE_AGENTS},
    Role.AGENT: frozenset(
        {
            Capability.VIEW_ALL,
            Capability.WRITE,
            Capability.MERGE_TICKETS,
            Capability.MERGE_CUSTOMERS,
            Capability.EXPORT,
        }
    ),
    Role.OUTSOURCED: frozenset({Capability.WRITE, Capability.MERGE_TICKETS}),
    Role.VIEWER: frozenset({Capability.VIEW_ALL}),
}


def can(agent: Agent | None, capability: Capability) -> bool:
    if agent is None or not agent.user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(agent.role, frozenset())


def require(agent: Agent | None, capability: Capability) -> None:
    """Raise Forbidden unless the agent's role grants the capability."""
    if not can(agent, capability):
        raise Forbidden(_("Your role does not allow this action."), code="forbidden")
