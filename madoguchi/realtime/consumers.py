"""`ws/console/`: one WebSocket per console page for live inbox, ticket and notification news.

On connect the agent joins `agent.<id>` and the groups of everything they may see: every
`inbox.<id>` for roles that see all tickets; for the others the granted inboxes and their
teams' `team.<id>` groups (the same rule as `tickets.access.scope_q`). Ticket events carry
ids only; the page re-fetches through permission-checked HTTP. `{"subscribe_ticket": id}`
checks visibility with `get_visible_ticket` before joining `ticket.<id>` and its presence.
Close codes: 4401 not signed in, 4403 no agent profile (the client stops reconnecting).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from madoguchi.core.errors import DomainError

from . import fanout
from .groups import agent_group, inbox_group, team_group, ticket_group
from .presence import TicketPresence

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NO_AGENT = 4403
PRESENCE_ANNOUNCE = "presence.announce"
PRESENCE_LEAVE = "presence.leave"
# Repeated {"typing": true} within this many seconds is not re-broadcast (well inside
# presence.TYPING_SECONDS, so the peers' flag never runs out while the agent types).
TYPING_REPEAT_SECONDS = 2.0
MAX_ID = 2**63  # a BIGINT primary key; larger numbers would be a database error


def _agent_for(user: Any) -> Any:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    from madoguchi.accounts.models import Agent

    return Agent.objects.select_related("user").filter(user_id=user.pk).first()


def _groups_for(agent: Any) -> list[str]:
    """The inbox and team groups whose ticket events this agent may hear."""
    from madoguchi.accounts.models import Agent
    from madoguchi.accounts.permissions import Capability, can
    from madoguchi.inboxes.models import Inbox

    if can(agent, Capability.VIEW_ALL):
        return [inbox_group(pk) for pk in Inbox.objects.values_list("pk", flat=True)]
    granted = Inbox.granted_agents.through.objects.filter(agent_id=agent.pk)
    teams = Agent.teams.through.objects.filter(agent_id=agent.pk)
    return [inbox_group(pk) for pk in granted.values_list("inbox_id", flat=True)] + [
        team_group(pk) for pk in teams.values_list("team_id", flat=True)
    ]


def _can_view_ticket(agent: Any, ticket_id: int) -> bool:
    from madoguchi.tickets.access import get_visible_ticket

    try:
        get_visible_ticket(agent, ticket_id)
    except DomainError:
        return False
    return True


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    """The console's live channel; see the module docstring for the protocol."""

    async def connect(self) -> None:
        self.agent: Any = None
        self.joined: list[str] = []
        self.presence: TicketPresence | None = None
        self.typing = False
        self.announced_at = 0.0
        self.seen: deque[str] = deque(maxlen=64)
        self.expiry: asyncio.TimerHandle | None = None
        fanout.serve_from(asyncio.get_running_loop())
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.agent = await database_sync_to_async(_agent_for)(user)
        if self.agent is None:
            await self.close(code=CLOSE_NO_AGENT)
            return
        visible = await database_sync_to_async(_groups_for)(self.agent)
        groups = [agent_group(self.agent.pk), *visible]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined = groups
        await self.send_json({"kind": "hello", "agent_id": self.agent.pk})

    async def disconnect(self, code: int) -> None:
        await self._leave_ticket()
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Malformed frames are ignored rather than ending the connection."""
        if self.agent is None or not text_data:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        if isinstance(content, dict):
            await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if "subscribe_ticket" in content:
            await self._subscribe(content["subscribe_ticket"])
        elif "typing" in content and self.presence is not None:
            typing = bool(content["typing"])
            now = time.monotonic()
            if typing == self.typing and now - self.announced_at < TYPING_REPEAT_SECONDS:
                return  # a chatty client: the peers' copy has not run out yet
            self.typing = typing
            await self._announce(reply=False)

    # — ticket subscription and presence —

    async def _subscribe(self, raw: Any) -> None:
        try:
            ticket_id = int(raw)
        except (TypeError, ValueError, OverflowError):
            ticket_id = 0
        if isinstance(raw, bool) or not 0 < ticket_id < MAX_ID:
            await self.send_json({"kind": "error", "code": "bad_ticket_id"})
            return
        if self.presence is not None and self.presence.ticket_id == ticket_id:
            return
        await self._leave_ticket()
        if not await database_sync_to_async(_can_view_ticket)(self.agent, ticket_id):
            await self.send_json({"kind": "error", "code": "ticket_not_found"})
            return
        self.presence = TicketPresence(ticket_id)
        self.typing = False
        await self.channel_layer.group_add(ticket_group(ticket_id), self.channel_name)
        await self.send_json({"kind": "subscribed", "ticket_id": ticket_id})
        await self._announce(reply=True)

    async def _leave_ticket(self) -> None:
        presence = getattr(self, "presence", None)
        if presence is None:
            return
        group = ticket_group(presence.ticket_id)
        self.presence = None
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        await self.channel_layer.group_send(
            group, {"type": PRESENCE_LEAVE, "channel": self.channel_name}
        )
        await self.channel_layer.group_discard(group, self.channel_name)

    async def _announce(self, *, reply: bool) -> None:
        """Tell the ticket's viewers our state; `reply` asks them to announce theirs back."""
        assert self.presence is not None
        self.announced_at = time.monotonic()
        await self.channel_layer.group_send(
            ticket_group(self.presence.ticket_id),
            {
                "type": PRESENCE_ANNOUNCE,
                "ticket_id": self.presence.ticket_id,
                "channel": self.channel_name,
                "agent_id": self.agent.pk,
                "name": self.agent.display_name,
                "typing": self.typing,
                "reply": reply,
            },
        )

    async def presence_announce(self, event: dict[str, Any]) -> None:
        if self.presence is None or event.get("ticket_id") != self.presence.ticket_id:
            return
        known = event["channel"] in self.presence.viewers
        self.presence.update(event["channel"], event["agent_id"], event["name"], event["typing"])
        if event.get("reply") and event["channel"] != self.channel_name and not known:
            await self._announce(reply=False)
        await self._push_presence()

    async def presence_leave(self, event: dict[str, Any]) -> None:
        if self.presence is None:
            return
        self.presence.remove(event["channel"])
        await self._push_presence()

    async def _push_presence(self) -> None:
        if self.presence is None:
            return
        await self.send_json(
            {
                "kind": "presence",
                "ticket_id": self.presence.ticket_id,
                "viewers": self.presence.snapshot(exclude_agent_id=self.agent.pk),
            }
        )
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        wait = self.presence.next_expiry()
        if wait is not None:
            loop = asyncio.get_running_loop()
            self.expiry = loop.call_later(
                wait + 0.05, lambda: asyncio.ensure_future(self._push_presence())
            )

    # — relayed domain events —

    async def ticket_event(self, event: dict[str, Any]) -> None:
        await self._relay(event)

    async def agent_notification(self, event: dict[str, Any]) -> None:
        await self._relay(event)

    async def _relay(self, event: dict[str, Any]) -> None:
        """Forward once: a ticket event reaches us through its inbox and its ticket group."""
        event_id = event.get("event_id", "")
        if event_id in self.seen:
            return
        self.seen.append(event_id)
        await self.send_json({k: v for k, v in event.items() if k not in ("type", "event_id")})
