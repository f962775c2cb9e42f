"""Who may call, and what every failure looks like: one JSON shape, the right status."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from madoguchi.accounts.tokens import do_create_token, do_revoke_token
from madoguchi.tickets.models import Ticket

from .client import BASE, ApiClient, snapshot

NEW = {"subject": "件名", "body": "本文", "customer": {"email": "k@example.jp"}}


def assert_error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and isinstance(body["message"], str) and body["message"]
    return body


def test_missing_token(inboxes, ticket):
    before = snapshot()
    response = ApiClient().get("/tickets")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_error(
        ApiClient().post("/tickets", {**NEW, "inbox": inboxes["api"].pk}), 401, "unauthorized"
    )
    assert_error(
        ApiClient().patch(f"/tickets/{ticket.pk}", {"status": "solved"}), 401, "unauthorized"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    "header",
    [
        "Bearer mdg_wrong",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "mdg_without_scheme",
        "Bearer " + "x" * 500,
    ],
)
def test_wrong_token(header, ticket):
    before = snapshot()
    client = ApiClient(Authorization=header)
    assert_error(client.get("/me"), 401, "unauthorized")
    assert_error(client.patch(f"/tickets/{ticket.pk}", {"status": "solved"}), 401, "unauthorized")
    assert snapshot() == before


def test_revoked_token_and_deactivated_user(agent, ticket):
    token, raw = do_create_token(None, agent, "ci")
    client = ApiClient(raw)
    assert client.get("/me").status_code == 200
    do_revoke_token(agent, token.pk)
    assert_error(client.get("/me"), 401, "unauthorized")
    _token, raw = do_create_token(None, agent, "second")
    agent.user.is_active = False
    agent.user.save()
    before = snapshot()
    assert_error(
        ApiClient(raw).patch(f"/tickets/{ticket.pk}", {"status": "solved"}), 401, "unauthorized"
    )
    assert snapshot() == before


def test_console_session_with_csrf(agent, inboxes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)
    assert client.get(f"{BASE}/me").json()["id"] == agent.pk
    url = f"{BASE}/tickets"
    payload = {**NEW, "inbox": inboxes["api"].pk}
    refused = client.post(url, payload, content_type="application/json")
    assert_error(refused, 403, "csrf_failed")
    assert Ticket.objects.count() == 0
    secret = "csrfSecretOfThirtyTwoCharacters0"  # the console's cookie; 32 letters/digits
    assert len(secret) == 32
    client.cookies["csrftoken"] = secret
    ok = client.post(url, payload, content_type="application/json", headers={"X-CSRFToken": secret})
    assert ok.status_code == 201, ok.content


def test_session_without_agent_profile_is_401(db):
    user = User.objects.create_user("visitor", "v@example.jp", "pass-1234-word")
    client = Client()
    client.force_login(user)
    assert_error(client.get(f"{BASE}/me"), 401, "unauthorized")


def test_malformed_json(api, ticket):
    before = snapshot()
    bomb = '{"tags": ' + "[" * 100_000 + "]" * 100_000 + "}"  # nesting deeper than Python recurses
    for raw in (
        bomb,
        "{not json",
        '{"status": "open",}',
        "[1, 2]",
        '"open"',
        '{"status": NaN}',
        b"\xff\xfe",
    ):
        response = api.patch(f"/tickets/{ticket.pk}", raw=raw)
        assert_error(response, 400, "invalid_json")
    assert snapshot() == before


def test_empty_body_where_one_is_required(api, ticket):
    body = assert_error(api.post(f"/tickets/{ticket.pk}/messages", raw=""), 422, "validation_error")
    assert body["details"][0]["type"] == "missing"


def test_oversized_body_is_413(api, ticket, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = snapshot()
    response = api.post(f"/tickets/{ticket.pk}/messages", {"body": "あ" * 20_000})
    body = assert_error(response, 413, "body_too_large")
    assert body["details"] == {"limit_bytes": 10_000}
    assert snapshot() == before


def test_validation_details_name_the_field(api, inboxes):
    response = api.post(
        "/tickets", {"inbox": inboxes["api"].pk, "body": 5, "customer": {"email": 7}}
    )
    body = assert_error(response, 422, "validation_error")
    fields = {(item["location"], item["field"], item["type"]) for item in body["details"]}
    assert ("body", "body", "string_type") in fields
    assert ("body", "customer.email", "string_type") in fields


def test_unknown_fields_are_listed(api, ticket):
    response = api.patch(f"/tickets/{ticket.pk}", {"status": "open", "colour": "red", "x": 1})
    body = assert_error(response, 422, "unknown_fields")
    assert sorted(item["field"] for item in body["details"]) == ["colour", "x"]


def test_wrong_method_and_unknown_path(api, ticket):
    response = api.client.put(f"{BASE}/tickets/{ticket.pk}", "{}", content_type="application/json")
    body = assert_error(response, 405, "method_not_allowed")
    assert "PATCH" in response["Allow"] and "PATCH" in body["details"]["allowed"]
    assert_error(api.client.delete(f"{BASE}/tickets"), 405, "method_not_allowed")
    assert_error(api.get("/no-such-thing"), 404, "not_found")
    body = assert_error(api.get("/tickets/not-a-number"), 422, "validation_error")
    assert body["details"][0]["location"] == "path"


def test_language_follows_accept_language_then_the_agent(make_agent, api_for):
    english = make_agent("agent", language="en")
    client = api_for(english)
    assert client.get("/me")["Content-Language"] == "en"
    assert client.get("/me", **{"Accept-Language": "ja"})["Content-Language"] == "ja"
    japanese = api_for(make_agent("agent"))
    assert japanese.get("/me")["Content-Language"] == "ja"
    refused = ApiClient(**{"Accept-Language": "en"}).get("/me")
    assert refused["Content-Language"] == "en"
    assert_error(refused, 401, "unauthorized")


def test_unexpected_failure_is_json_500(api, monkeypatch):
    def broken(agent):  # type: ignore[no-untyped-def]
        raise RuntimeError("database on fire")

    monkeypatch.setattr("madoguchi.api.routers.desk.visible_inboxes", broken)
    body = assert_error(api.get("/inboxes"), 500, "server_error")
    assert "fire" not in body["message"]
