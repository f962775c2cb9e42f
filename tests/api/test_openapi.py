"""The OpenAPI description loads without a token and lists every endpoint."""

from __future__ import annotations

from django.test import Client

EXPECTED = {
    "/api/v1/tickets": {"get", "post"},
    "/api/v1/tickets/{ticket_id}": {"get", "patch"},
    "/api/v1/tickets/{ticket_id}/messages": {"post"},
    "/api/v1/tickets/{ticket_id}/merge": {"post"},
    "/api/v1/tickets/{ticket_id}/macros/{macro_id}": {"post"},
    "/api/v1/customers": {"get", "post"},
    "/api/v1/customers/{customer_id}": {"get", "patch"},
    "/api/v1/customers/{customer_id}/merge": {"post"},
    "/api/v1/inboxes": {"get"},
    "/api/v1/outbox": {"get"},
    "/api/v1/outbox/{outbox_id}/retry": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/kb/search": {"get"},
}


def test_openapi_json_lists_the_paths(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in spec["paths"].items()} == EXPECTED
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    errors = spec["paths"]["/api/v1/tickets"]["post"]["responses"]
    assert errors["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    create = spec["components"]["schemas"]["TicketCreateIn"]
    assert create["additionalProperties"] is False
    params = {p["name"] for p in spec["paths"]["/api/v1/tickets"]["get"]["parameters"]}
    assert {"status", "q", "cursor", "limit", "updated_since", "assignee"} <= params
    schemas = spec["components"]["schemas"]
    reply = schemas["ReplyIn"]
    assert reply["additionalProperties"] is False
    assert {"body", "internal", "expected_last_message_id", "status", "to", "cc", "subject"} == set(
        reply["properties"]
    )
    assert reply["properties"]["cc"]["type"] == "array"
    assert reply["properties"]["subject"]["maxLength"] == 250
    assert "expected_last_message_id" in schemas["MacroApplyIn"]["properties"]
    assert "route" in schemas["MessageOut"]["properties"]


def test_docs_page_is_served(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
