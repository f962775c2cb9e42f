"""Channel-layer group names, in one place so the fan-out and the consumers agree."""

from __future__ import annotations


def inbox_group(inbox_id: int) -> str:
    return f"inbox.{inbox_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"
