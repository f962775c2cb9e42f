"""API test helpers: a JSON client with a bearer token, inbound mail, a database snapshot."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.inboxes.models import Outbox
from madoguchi.tickets.models import Macro, Message, Ticket, TimelineEvent

BASE = "/api/v1"


class ApiClient:
    """django.test.Client speaking JSON with a bearer token (or none)."""

    def __init__(self, token: str | None = None, **headers: str) -> None:
        if token:
            headers.setdefault("Authorization", f"Bearer {token}")
        self.client = Client(headers=headers)

    def get(self, path: str, params: Any = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers=headers)

    def send(
        self, method: str, path: str, data: Any = None, *, raw: bytes | str | None = None,
        **headers: str,
    ) -> Any:  # fmt: skip
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        call = getattr(self.client, method.lower())
        return call(BASE + path, body, content_type="application/json", headers=headers)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.send("post", path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.send("patch", path, data, **kw)


def receive(
    inbox: Any,
    body: str,
    *,
    email: str = "taro@example.jp",
    subject: str = "",
    name: str = "山田 太郎",
    phone: str = "",
    external_id: str = "",
    ticket_id: int | None = None,
) -> Ticket:
    """A customer message arriving through ingest, as a connector would deliver it."""
    extra = [SenderHandle("phone", phone)] if phone else []
    result = ingest(
        InboundMessage(
            inbox_id=inbox.pk, external_id=external_id, sender=SenderHandle("email", email),
            sender_name=name, subject=subject, body_text=body, extra_handles=extra,
            ticket_id=ticket_id,
        )
    )  # fmt: skip
    return Ticket.objects.get(pk=result.ticket_id)


def snapshot() -> dict[str, Any]:
    """Every row a write could touch, so a refused request can be shown to change nothing."""
    return {
        "tickets": list(
            Ticket.objects.order_by("pk").values_list(
                "pk", "number", "subject", "status", "priority", "assignee_id", "team_id",
                "customer_id", "merged_into_id", "message_count", "updated_at", "is_spam",
            )
        ),
        "tags": list(Ticket.tags.through.objects.order_by("pk").values_list("ticket_id", "tag_id")),
        "messages": list(
            Message.objects.order_by("pk").values_list(
                "pk", "ticket_id", "body_text", "is_internal", "delivery"
            )
        ),
        "customers": list(
            Customer.objects.order_by("pk").values_list(
                "pk", "name", "name_kana", "notes", "tags", "merged_into_id", "updated_at"
            )
        ),
        "identities": list(
            Identity.objects.order_by("pk").values_list("pk", "customer_id", "kind", "handle")
        ),
        "outbox": list(Outbox.objects.order_by("pk").values_list("pk", "state", "attempts")),
        "timeline": list(TimelineEvent.objects.order_by("pk").values_list("pk", "kind")),
        "macros": list(Macro.objects.order_by("pk").values_list("pk", "usage_count")),
    }  # fmt: skip
