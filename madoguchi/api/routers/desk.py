"""The desk around the tickets: who am I, which inboxes, which replies failed to go out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from madoguchi.accounts.permissions import ROLE_CAPABILITIES, can
from madoguchi.inboxes.delivery import do_retry_dead_letter
from madoguchi.inboxes.models import Inbox, Outbox

from ..access import visible_inboxes, visible_outbox
from ..auth import current_agent
from ..errors import unknown_query_params
from ..keyset import page_by_id
from ..schemas.agents import MeOut
from ..schemas.common import READ_ERRORS, WRITE_ERRORS, EmptyIn, ErrorOut, PathId
from ..schemas.inboxes import InboxOut, OutboxOut, OutboxPageOut, OutboxQuery

router = Router()


@router.get("/me", response={200: MeOut, READ_ERRORS: ErrorOut}, tags=["agents"])
def me(request: HttpRequest) -> dict[str, Any]:
    """The agent behind the token: role, teams and what the role may do."""
    agent = current_agent(request)
    capabilities = sorted(
        cap.value for cap in ROLE_CAPABILITIES.get(agent.role, frozenset()) if can(agent, cap)
    )
    return {
        "id": agent.pk,
        "username": agent.user.get_username(),
        "display_name": agent.display_name,
        "role": agent.role,
        "language": agent.language,
        "teams": list(agent.teams.all()),
        "capabilities": capabilities,
    }


@router.get("/inboxes", response={200: list[InboxOut], READ_ERRORS: ErrorOut}, tags=["inboxes"])
def list_inboxes(request: HttpRequest) -> list[Inbox]:
    """Inboxes you may work (outsourced agents: the ones granted to them)."""
    unknown_query_params(request, set())
    return list(visible_inboxes(current_agent(request)).order_by("brand_id", "kind", "name", "id"))


@router.get("/outbox", response={200: OutboxPageOut, READ_ERRORS: ErrorOut}, tags=["outbox"])
def list_outbox(request: HttpRequest, filters: Query[OutboxQuery]) -> dict[str, Any]:
    """Replies waiting, sent or failed; `state=dead` lists the dead letters."""
    unknown_query_params(request, set(OutboxQuery.model_fields))
    qs = visible_outbox(current_agent(request)).select_related("message", "message__ticket")
    if filters.state:
        qs = qs.filter(state=filters.state.value)
    items, next_cursor = page_by_id(qs, filters.cursor, filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/outbox/{outbox_id}/retry", response={200: OutboxOut, WRITE_ERRORS: ErrorOut}, tags=["outbox"]
)
def retry_outbox(request: HttpRequest, outbox_id: PathId, payload: EmptyIn | None = None) -> Outbox:
    """Send a dead letter again (409 `not_dead_letter` for anything else)."""
    outbox = do_retry_dead_letter(current_agent(request), outbox_id)
    return Outbox.objects.select_related("message", "message__ticket").get(pk=outbox.pk)
