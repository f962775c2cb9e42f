"""Two ways to read tickets for timing: through the HTTP API, or through the query functions.

`HttpReader` sends real requests through Django's whole stack in-process (test Client:
URL routing, middleware, bearer-token auth, ninja validation, ORM, JSON serialisation); the
time is the server's, without a network or a WSGI server in front. `QueryReader` calls
madoguchi.tickets.queries directly (ORM only, no serialisation); it is the fallback when
an endpoint is missing and the reference for how much of a request is SQL.
"""

from __future__ import annotations

import json
from typing import Any

from madoguchi.accounts.models import Agent


class ReadFailed(RuntimeError):
    pass


class HttpReader:
    kind = "http"

    def __init__(self, tokens: dict[int, str]) -> None:
        from django.test import Client

        self.client = Client()
        self.tokens = tokens  # agent id -> raw bearer token

    def _get(self, agent: Agent, path: str, params: dict[str, Any] | None = None) -> Any:
        response = self.client.get(
            path, params or {}, HTTP_AUTHORIZATION=f"Bearer {self.tokens[agent.pk]}"
        )
        if response.status_code != 200:
            raise ReadFailed(
                f"GET {path} {params} -> {response.status_code} {response.content[:300]!r}"
            )
        return response

    def list(self, agent: Agent, *, view: str = "", q: str = "", cursor: str = "") -> Any:
        params = {
            k: v for k, v in {"view": view, "q": q, "cursor": cursor, "limit": 50}.items() if v
        }
        return self._get(agent, "/api/v1/tickets", params)

    def next_cursor(self, result: Any) -> str | None:
        return json.loads(result.content)["next_cursor"]

    def count(self, result: Any) -> int:
        return len(json.loads(result.content)["items"])

    def detail(self, agent: Agent, ticket_id: int) -> Any:
        return self._get(agent, f"/api/v1/tickets/{ticket_id}")

    def customer(self, agent: Agent, customer_id: int) -> Any:
        return self._get(agent, f"/api/v1/customers/{customer_id}")

    @staticmethod
    def available(agent: Agent, token: str) -> dict[str, bool]:
        """Which of the measured endpoints answer 200 for this agent right now."""
        from django.test import Client

        from madoguchi.tickets.models import Ticket

        client = Client()
        header = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        ticket = Ticket.objects.order_by("-pk").values("pk", "customer_id").first() or {}
        checks = {
            "list": "/api/v1/tickets?view=unsolved&limit=1",
            "search": "/api/v1/tickets?q=test&limit=1",
            "detail": f"/api/v1/tickets/{ticket.get('pk', 1)}",
            "customer": f"/api/v1/customers/{ticket.get('customer_id', 1)}",
        }
        found = {}
        for name, path in checks.items():
            try:
                found[name] = client.get(path, **header).status_code == 200
            except Exception:  # an endpoint under construction may still raise
                found[name] = False
        return found


class QueryReader:
    kind = "queries"

    def list(self, agent: Agent, *, view: str = "", q: str = "", cursor: str = "") -> Any:
        from madoguchi.tickets.queries import TicketFilter, ticket_page

        return ticket_page(agent, TicketFilter(view=view, q=q), cursor=cursor, limit=50)

    def next_cursor(self, result: Any) -> str | None:
        return result.next_cursor

    def count(self, result: Any) -> int:
        return len(result.items)

    def detail(self, agent: Agent, ticket_id: int) -> Any:
        from madoguchi.tickets.queries import ticket_with_conversation

        return ticket_with_conversation(agent, ticket_id)

    def customer(self, agent: Agent, customer_id: int) -> Any:
        from madoguchi.tickets.access import get_visible_customer, visible_tickets

        customer = get_visible_customer(agent, customer_id)
        identities = list(customer.identities.all())
        recent = list(
            visible_tickets(agent).filter(customer=customer).order_by("-updated_at", "-id")[:20]
        )
        return customer, identities, recent
