"""The role matrix: every role through every endpoint, the status each gets, and proof that a
refusal (or a read) changes nothing while an allowed write does change something."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import pytest

from madoguchi.accounts.tokens import do_create_token
from madoguchi.inboxes.delivery import deliver
from madoguchi.inboxes.models import Outbox
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Macro

from .client import ApiClient, receive, snapshot

ROLES = ["admin", "lead", "agent", "outsourced_granted", "outsourced_ungranted", "viewer"]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # formatted with the world's ids
    body: dict[str, Any] | None
    writes: bool
    # status per role; roles not listed get `default`
    default: int
    others: dict[str, int]

    def expected(self, role: str) -> int:
        return self.others.get(role, self.default)


# Writers (admin, lead, agent, outsourced on its own inbox) succeed; viewers may not write;
# an outsourced agent without a grant does not see the objects at all (404).
HIDDEN = {"outsourced_ungranted": 404}
READ_ONLY = {"viewer": 403, "outsourced_ungranted": 404}

ENDPOINTS: dict[str, Endpoint] = {
    "me": Endpoint("get", "/me", None, False, 200, {}),
    "inboxes": Endpoint("get", "/inboxes", None, False, 200, {}),
    "tickets_list": Endpoint("get", "/tickets", None, False, 200, {}),
    "ticket_create": Endpoint(
        "post", "/tickets",
        {"inbox": "{inbox}", "body": "API からの問い合わせ",
         "customer": {"email": "new@example.jp"}},
        True, 201, READ_ONLY,
    ),
    "ticket_get": Endpoint("get", "/tickets/{t1}", None, False, 200, HIDDEN),
    "ticket_update": Endpoint(
        "patch", "/tickets/{t1}", {"status": "pending"}, True, 200, READ_ONLY
    ),
    "ticket_reply": Endpoint(
        "post", "/tickets/{t1}/messages", {"body": "ご連絡ありがとうございます。"}, True, 201,
        READ_ONLY,
    ),
    "ticket_note": Endpoint(
        "post", "/tickets/{t1}/messages", {"body": "社内メモ", "internal": True}, True, 201,
        READ_ONLY,
    ),
    "ticket_merge": Endpoint("post", "/tickets/{t2}/merge", {"into": "{t1}"}, True, 200, READ_ONLY),
    "ticket_macro": Endpoint("post", "/tickets/{t1}/macros/{macro}", None, True, 200, READ_ONLY),
    "customers_list": Endpoint("get", "/customers", None, False, 200, {}),
    "customer_get": Endpoint("get", "/customers/{c1}", None, False, 200, HIDDEN),
    "customer_create": Endpoint(
        "post", "/customers", {"name": "新規 顧客", "identities": [{"kind": "email",
        "value": "fresh@example.jp"}]}, True, 201, {"viewer": 403},
    ),
    "customer_update": Endpoint(
        "patch", "/customers/{c1}", {"notes": "電話は夕方希望"}, True, 200, READ_ONLY
    ),
    "customer_merge": Endpoint(
        "post", "/customers/{c2}/merge", {"into": "{c1}"}, True, 200,
        {"viewer": 403, "outsourced_granted": 403, "outsourced_ungranted": 404},
    ),
    "outbox_list": Endpoint("get", "/outbox?state=dead", None, False, 200, {}),
    "outbox_retry": Endpoint("post", "/outbox/{dead}/retry", None, True, 200, READ_ONLY),
}  # fmt: skip

# How many rows each role sees in the lists (scope is part of the permission too).
LIST_SIZES = {
    "tickets_list": {"outsourced_granted": 2, "outsourced_ungranted": 0, "*": 3},
    "customers_list": {"outsourced_granted": 2, "outsourced_ungranted": 0, "*": 3},
    "inboxes": {"outsourced_granted": 1, "outsourced_ungranted": 0, "*": 10},
    "outbox_list": {"outsourced_ungranted": 0, "*": 1},
}


@pytest.fixture
def world(inboxes, make_agent, settings):  # type: ignore[no-untyped-def]
    """Two tickets in the inbox granted to the outsourced agent, one elsewhere, a macro and a
    dead letter (the SMTP server was down)."""
    granted = inboxes["api"]
    agents = {
        "admin": make_agent("admin"),
        "lead": make_agent("lead"),
        "agent": make_agent("agent"),
        "outsourced_granted": make_agent("outsourced"),
        "outsourced_ungranted": make_agent("outsourced"),
        "viewer": make_agent("viewer"),
    }
    granted.granted_agents.add(agents["outsourced_granted"])
    t1 = receive(granted, "注文番号 1001 の配送状況を教えてください", email="c1@example.jp")
    t2 = receive(granted, "1001 の件、再送です", email="c2@example.jp", name="山田 たろう")
    receive(inboxes["email"], "別の窓口の問い合わせ", email="c3@example.jp", name="別人")
    macro = Macro.objects.create(name="お詫び", body="{{customer.name}} 様 大変失礼しました。")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = s.getsockname()[1]
    settings.OUTBOX_MAX_ATTEMPTS = 1
    reply = do_reply(agents["admin"], t1.pk, "確認してご連絡します。")
    dead = Outbox.objects.get(message=reply)
    assert deliver(dead.pk) == "dead"
    ids = {"inbox": granted.pk, "t1": t1.pk, "t2": t2.pk, "c1": t1.customer_id,
           "c2": t2.customer_id, "macro": macro.pk, "dead": dead.pk}  # fmt: skip
    return agents, ids


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("name", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role: str, name: str, world) -> None:  # type: ignore[no-untyped-def]
    agents, ids = world
    endpoint = ENDPOINTS[name]
    _token, raw = do_create_token(None, agents[role], "matrix")
    client = ApiClient(raw)
    path = endpoint.path.format(**ids)
    before = snapshot()
    if endpoint.method == "get":
        response = client.get(path)
    else:
        response = client.send(endpoint.method, path, _fill(endpoint.body, ids))
    expected = endpoint.expected(role)
    assert response.status_code == expected, (role, name, response.content)
    after = snapshot()
    if expected >= 400:
        body = response.json()
        assert body["code"] in {"forbidden", "ticket_not_found", "customer_not_found",
                                "inbox_not_found"}, body  # fmt: skip
        assert after == before, f"{role} was refused {name} but the database changed"
    elif endpoint.writes:
        assert after != before, f"{role} was allowed {name} but nothing changed"
    else:
        assert after == before, f"reading {name} changed the database"
    if name in LIST_SIZES and expected == 200:
        sizes = LIST_SIZES[name]
        body = response.json()
        items = body if isinstance(body, list) else body["items"]
        assert len(items) == sizes.get(role, sizes["*"]), (role, name, items)
