"""Phone calls logged by agents: caller number, direction, summary, follow-up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from madoguchi.core.errors import ValidationFailed
from madoguchi.inboxes.messages import InboundMessage, SenderHandle

from ..base import RepliesByEmail
from ..registry import register


class PhoneConnector(RepliesByEmail):
    kind = "phone"


@dataclass(frozen=True)
class CallLog:
    number: str
    direction: str  # "in": the customer called; "out": we called them
    summary: str
    follow_up: bool = False
    caller_name: str = ""
    duration_seconds: int | None = None
    started_at: datetime | None = None
    ticket_id: int | None = None
    customer_id: int | None = None
    call_id: str = ""  # a PBX call id makes logging idempotent


def parse(inbox_id: int, call: CallLog, agent_id: int) -> InboundMessage:
    """A call an agent logged, as a message on the caller's ticket (found by number)."""
    if call.direction not in ("in", "out"):
        raise ValidationFailed(_("Unknown call direction."), code="invalid_direction")
    if call.duration_seconds is not None and not 0 <= call.duration_seconds <= 86_400:
        raise ValidationFailed(_("The call duration is not plausible."), code="invalid_duration")
    if not call.number.strip() and call.customer_id is None:
        raise ValidationFailed(_("Enter the caller's number."), code="missing_sender")
    tags = ["phone"] + (["follow-up"] if call.follow_up else [])
    direction_label = _("Incoming call") if call.direction == "in" else _("Outgoing call")
    first = (call.summary.strip().splitlines() or [""])[0]
    return InboundMessage(
        inbox_id=inbox_id,
        external_id=call.call_id or f"call-{uuid.uuid4()}",
        sender=SenderHandle("phone", call.number, call.number) if call.number.strip() else None,
        sender_name=call.caller_name,
        customer_id=call.customer_id,
        ticket_id=call.ticket_id,
        subject=f"{direction_label}: {first[:60]}",
        body_text=call.summary,
        received_at=call.started_at,
        direction="out" if call.direction == "out" else "in",
        logged_by_agent_id=agent_id,
        tags=tags,
        meta={
            "call": {
                "direction": call.direction,
                "number": call.number,
                "duration_seconds": call.duration_seconds,
                "follow_up": call.follow_up,
            }
        },
    )


register(PhoneConnector())
