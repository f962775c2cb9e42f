"""What happened to a generated ticket besides its messages: timeline rows, tags, merges."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

EXTRA_TAGS = ["要折り返し", "エスカレーション", "クレーム", "ギフト", "リピーター", "初回購入"]


def event(
    ticket_id: int,
    kind: str,
    at: datetime,
    actor_kind: str,
    agent: int | None = None,
    field: str = "",
    old: str = "",
    new: str = "",
) -> dict[str, Any]:
    """One tickets_timelineevent row, as tickets.timeline.record() writes it."""
    return {
        "ticket_id": ticket_id,
        "kind": kind,
        "created_at": at,
        "actor_kind": actor_kind,
        "actor_agent_id": agent,
        "field": field,
        "old_value": old,
        "new_value": new,
    }


def timeline_rows(
    t: dict[str, Any], solved_at: datetime | None, updated: datetime
) -> list[dict[str, Any]]:
    """Created, assigned, solved and closed, when they happened."""
    tid = t["id"]
    rows = [event(tid, "created", t["created_at"], "customer", new=t["channel"])]
    if t["assignee_id"]:
        at = t["created_at"] + timedelta(minutes=5)
        rows.append(
            event(tid, "assignee", at, "system", field="assignee", new=str(t["assignee_id"]))
        )
    if solved_at:
        rows.append(
            event(tid, "status", solved_at, "agent", t["assignee_id"], "status", "open", "solved")
        )
    if t["status"] == "closed" and solved_at and updated > solved_at:
        rows.append(event(tid, "status", updated, "system", None, "status", "solved", "closed"))
    return rows


def tag_names(rng: random.Random, tags: tuple[str, ...], vip: bool, spam: bool) -> list[str]:
    """Most tickets carry their topic's tag; some a second one; VIP customers are marked."""
    if spam:
        return []
    names = []
    if rng.random() < 0.55:
        names.append(tags[0])
    if len(tags) > 1 and rng.random() < 0.15:
        names.append(tags[1])
    if vip:
        names.append("VIP")
    if rng.random() < 0.05:
        names.append(rng.choice(EXTRA_TAGS))
    return names


def merge(ticket: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    """Make `ticket` one merged into `target` (its messages moved there); its timeline rows."""
    ticket.update(
        status="closed",
        merged_into_id=target["id"],
        message_count=0,
        customer_id=target["customer_id"],
        preview="",
    )
    tid = ticket["id"]
    return [
        event(tid, "created", ticket["created_at"], "customer", new=ticket["channel"]),
        event(tid, "merged", ticket["updated_at"], "agent", target["assignee_id"],
              "merged_into", new=f"#{target['number']}"),
    ]  # fmt: skip
