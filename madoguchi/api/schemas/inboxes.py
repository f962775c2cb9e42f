"""Inbox and outbox shapes of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from madoguchi.inboxes.models import OutboxState

from .common import BrandRef, Cursor, Limit


class InboxOut(Schema):
    id: int
    kind: str
    name: str
    slug: str
    brand: BrandRef
    address: str
    is_active: bool


class OutboxQuery(Schema):
    state: OutboxState | None = Field(default=None, description="e.g. `dead` for dead letters")
    cursor: Cursor = ""
    limit: Limit = 50


class OutboxOut(Schema):
    id: int
    state: OutboxState
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    last_error_kind: str
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    inbox_id: int
    message_id: int
    ticket_id: int
    ticket_number: int
    to: str

    @staticmethod
    def resolve_ticket_id(obj: Any) -> int:
        return int(obj.message.ticket_id)

    @staticmethod
    def resolve_ticket_number(obj: Any) -> int:
        return int(obj.message.ticket.number)

    @staticmethod
    def resolve_to(obj: Any) -> str:
        return str((obj.message.meta or {}).get("route", {}).get("to", ""))


class OutboxPageOut(Schema):
    items: list[OutboxOut]
    next_cursor: str | None
