"""Who is viewing and who is typing on a ticket, as one consumer sees it.

There is no shared registry: every console consumer announces its own state to the ticket's
group (on subscribe, on typing, on leave) and answers a newcomer's announcement with its own.
Each consumer therefore holds the full picture from the group messages alone, which works the
same with the in-memory channel layer (one process) and with channels-redis (several
processes). Typing expires on the receiving side after TYPING_SECONDS, so a lost "stopped
typing" message cannot leave a stale 「入力中」.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# A client repeats {"typing": true} while the agent types; without it typing ends here.
TYPING_SECONDS = 8.0


@dataclass
class Viewer:
    agent_id: int
    name: str
    typing_until: float = 0.0

    def is_typing(self, now: float) -> bool:
        return self.typing_until > now


@dataclass
class TicketPresence:
    """The viewers of one ticket, keyed by channel name (one entry per open page)."""

    ticket_id: int
    viewers: dict[str, Viewer] = field(default_factory=dict)

    def update(self, channel: str, agent_id: int, name: str, typing: bool) -> None:
        until = time.monotonic() + TYPING_SECONDS if typing else 0.0
        self.viewers[channel] = Viewer(agent_id, name, until)

    def remove(self, channel: str) -> None:
        self.viewers.pop(channel, None)

    def next_expiry(self) -> float | None:
        """Seconds until the next typing flag runs out (to push a fresh list then)."""
        now = time.monotonic()
        pending = [v.typing_until - now for v in self.viewers.values() if v.is_typing(now)]
        return min(pending) if pending else None

    def snapshot(self, exclude_agent_id: int) -> list[dict[str, object]]:
        """Other agents on the ticket, one entry per agent (several tabs count once)."""
        now = time.monotonic()
        merged: dict[int, dict[str, object]] = {}
        for viewer in self.viewers.values():
            if viewer.agent_id == exclude_agent_id:
                continue
            entry = merged.setdefault(
                viewer.agent_id, {"agent_id": viewer.agent_id, "name": viewer.name, "typing": False}
            )
            entry["typing"] = bool(entry["typing"]) or viewer.is_typing(now)
        return sorted(merged.values(), key=lambda e: str(e["name"]))
