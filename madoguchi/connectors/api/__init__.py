"""Tickets created by other systems through the REST API."""

from __future__ import annotations

from typing import Any

from madoguchi.inboxes.messages import InboundMessage, SenderHandle

from ..base import RepliesByEmail
from ..registry import register


class ApiConnector(RepliesByEmail):
    kind = "api"


def parse(inbox_id: int, payload: dict[str, Any]) -> InboundMessage:
    """An API ticket-creation body (already schema-validated) as an InboundMessage."""
    customer = payload.get("customer") or {}
    handles = []
    if customer.get("email"):
        handles.append(SenderHandle("email", customer["email"]))
    if customer.get("phone"):
        handles.append(SenderHandle("phone", customer["phone"]))
    if customer.get("external_id"):
        handles.append(SenderHandle("api", str(customer["external_id"])))
    return InboundMessage(
        inbox_id=inbox_id,
        external_id=str(payload.get("external_id") or ""),
        sender=handles[0] if handles else None,
        extra_handles=handles[1:],
        customer_id=payload.get("customer_id"),
        sender_name=customer.get("name", ""),
        sender_name_kana=customer.get("name_kana", ""),
        subject=payload.get("subject", ""),
        body_text=payload.get("body", ""),
        priority=payload.get("priority", "") or "",
        tags=list(payload.get("tags") or []),
        meta={"source": "api"},
    )


register(ApiConnector())
