"""The ticket page's data: messages and timeline events in one stream, delivery states, sidebar.

Everything is read in a fixed number of queries, whatever the length of the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from madoguchi.accounts.models import Agent, Team
from madoguchi.accounts.permissions import Capability, can
from madoguchi.connectors import registry
from madoguchi.customers.models import Identity
from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.tickets.access import visible_tickets
from madoguchi.tickets.actions.macros import visible_macros
from madoguchi.tickets.actions.replies import handles_of
from madoguchi.tickets.models import Message, Priority, Status, Ticket, TimelineEvent
from madoguchi.tickets.queries import ticket_with_conversation

from .workspace import highlight_mentions, reply_box

OTHER_TICKETS = 8
# Timeline kinds already told by the conversation itself, or by the header.
_QUIET_KINDS = {"created"}


@dataclass
class Entry:
    """One item of the conversation stream: a message or a timeline event."""

    kind: str  # "message" or "event"
    at: datetime
    message: Message | None = None
    outbox: Outbox | None = None
    event_text: str = ""
    is_new: bool = False


def _names(events: list[TimelineEvent]) -> tuple[dict[str, str], dict[str, str]]:
    """Agent and team names for the ids that timeline rows store as text."""
    agent_ids: set[str] = set()
    team_ids: set[str] = set()
    for event in events:
        ids = [v for v in (event.old_value, event.new_value) if v.isdigit()]
        if event.kind == "assignee":
            agent_ids.update(ids)
        elif event.kind == "team":
            team_ids.update(ids)
    agents = {
        str(pk): name
        for pk, name in Agent.objects.filter(pk__in=agent_ids).values_list("pk", "display_name")
    }
    teams = {
        str(pk): name for pk, name in Team.objects.filter(pk__in=team_ids).values_list("pk", "name")
    }
    return agents, teams


def event_text(event: TimelineEvent, agents: dict[str, str], teams: dict[str, str]) -> str:
    """One translated sentence for a timeline row, e.g. "Status: New → Open"."""
    old, new = event.old_value, event.new_value
    none = _("none")
    if event.kind in ("status", "priority"):
        labels = dict(Status.choices if event.kind == "status" else Priority.choices)
        field = _("Status") if event.kind == "status" else _("Priority")
        return f"{field}: {labels.get(old, old) or none} → {labels.get(new, new) or none}"
    if event.kind == "assignee":
        return _("Assignee: %(old)s → %(new)s") % {
            "old": agents.get(old, old) or _("unassigned"),
            "new": agents.get(new, new) or _("unassigned"),
        }
    if event.kind == "team":
        return _("Team: %(old)s → %(new)s") % {
            "old": teams.get(old, old) or none,
            "new": teams.get(new, new) or none,
        }
    if event.kind == "tags":
        return _("Tags: %(old)s → %(new)s") % {"old": old or none, "new": new or none}
    if event.kind == "subject":
        return _("Subject changed to “%(new)s”") % {"new": new}
    if event.kind == "spam":
        return _("Marked as spam") if new == "True" else _("Marked as not spam")
    if event.kind == "merged":
        return _("Merged into ticket %(target)s") % {"target": new}
    if event.kind == "merged_in":
        count = int(new) if new.isdigit() else 0
        return ngettext(
            "Ticket %(source)s was merged into this one (%(count)d message)",
            "Ticket %(source)s was merged into this one (%(count)d messages)",
            count,
        ) % {"source": old, "count": count}
    if event.kind == "created":
        return _("Ticket created")
    if event.kind in ("bounce", "complaint"):
        severity, _sep, reason = new.partition(":")
        if event.kind == "complaint":
            return _("%(address)s reported our mail as spam") % {"address": old or "?"}
        if severity == "hard":
            text = _("Mail to %(address)s bounced permanently (%(reason)s)")
        else:
            text = _("Mail to %(address)s bounced temporarily (%(reason)s)")
        return text % {"address": old or "?", "reason": reason}
    if event.kind == "follow_up":
        return _("Follow-up of ticket %(ticket)s") % {"ticket": new}
    return f"{event.kind}: {old} → {new}"


def build_stream(
    messages: list[Message], timeline: list[TimelineEvent], *, new_after: int | None = None
) -> list[Entry]:
    """Messages and events in time order; messages newer than `new_after` are flagged."""
    outboxes = {
        o.message_id: o for o in Outbox.objects.filter(message__in=[m.pk for m in messages])
    }
    agents, teams = _names(timeline)
    entries = [
        Entry(
            "message",
            m.created_at,
            message=m,
            outbox=outboxes.get(m.pk),
            is_new=new_after is not None and m.pk > new_after,
        )
        for m in messages
    ]
    for event in timeline:
        if event.kind in _QUIET_KINDS:
            continue
        text = event_text(event, agents, teams)
        who = event.actor_agent.display_name if event.actor_agent else ""
        entries.append(
            Entry("event", event.created_at, event_text=f"{who} · {text}" if who else text)
        )
    # Stable: a message and the events it caused share a timestamp; the message comes first.
    entries.sort(key=lambda e: (e.at, 0 if e.kind == "message" else 1))
    return entries


def ticket_context(agent: Agent, ticket_id: int, *, new_after: int | None = None) -> dict[str, Any]:
    """Everything the ticket template needs; raises NotFound outside the agent's scope."""
    data = ticket_with_conversation(agent, ticket_id)
    ticket: Ticket = data["ticket"]
    messages: list[Message] = data["messages"]
    identities = list(Identity.objects.filter(customer_id=ticket.customer_id))
    route = registry.get(ticket.channel).reply_route(handles_of(identities), ticket.customer.name)
    other_tickets = list(
        visible_tickets(agent)
        .filter(customer_id=ticket.customer_id)
        .exclude(pk=ticket.pk)
        .order_by("-updated_at", "-id")[:OTHER_TICKETS]
    )
    highlight_mentions(messages)
    return {
        **reply_box(ticket, route, identities),
        "ticket": ticket,
        "stream": build_stream(messages, data["timeline"], new_after=new_after),
        "last_message_id": max((m.pk for m in messages), default=0),
        "reply_route": route,
        "macros": list(visible_macros(agent, ticket.brand_id).order_by("name")),
        "customer": ticket.customer,
        "identities": identities,
        "other_tickets": other_tickets,
        "can_write": can(agent, Capability.WRITE),
        "can_merge": can(agent, Capability.MERGE_TICKETS),
        "dead_state": OutboxState.DEAD,
    }
