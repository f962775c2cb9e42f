"""Tickets through the API: create (idempotent), list, read, change, reply, merge, macro."""

from __future__ import annotations

from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes.models import Outbox
from madoguchi.tickets.models import Macro, Message, Ticket

from .client import receive, snapshot

NEW_TICKET = {
    "subject": "引越しに伴う住所変更",
    "body": "来月引っ越すので、お届け先を変更したいです。",
    "customer": {"email": "Hanako@Example.JP", "name": "鈴木 花子", "name_kana": "スズキ ハナコ"},
    "priority": "high",
    "tags": ["住所変更"],
}


def test_create_ticket_through_the_api_connector(api, inboxes):
    response = api.post("/tickets", {**NEW_TICKET, "inbox": inboxes["api"].pk})
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get()
    assert body["id"] == ticket.pk and body["number"] == ticket.number
    assert body["channel"] == "api" and body["priority"] == "high" and body["status"] == "new"
    assert body["tags"] == ["住所変更"]
    assert body["customer"]["name"] == "鈴木 花子"
    assert [m["body_text"] for m in body["messages"]] == [NEW_TICKET["body"]]
    assert body["messages"][0]["author_kind"] == "customer"
    assert body["timeline"][0]["kind"] == "created"
    assert Identity.objects.get().handle == "hanako@example.jp"
    assert Message.objects.get().meta["source"] == "api"


def test_create_is_idempotent_on_external_id(api, inboxes):
    payload = {**NEW_TICKET, "inbox": inboxes["api"].pk, "external_id": "order-1001-q1"}
    first = api.post("/tickets", payload)
    again = api.post("/tickets", payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


def test_idempotency_key_header_counts_as_external_id(api, inboxes):
    payload = {**NEW_TICKET, "inbox": inboxes["api"].pk}
    first = api.post("/tickets", payload, **{"Idempotency-Key": "req-42"})
    again = api.post("/tickets", payload, **{"Idempotency-Key": "req-42"})
    other = api.post("/tickets", payload, **{"Idempotency-Key": "req-43"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert Ticket.objects.count() == 2


def test_idempotency_key_that_contradicts_external_id_is_refused(api, inboxes):
    payload = {**NEW_TICKET, "inbox": inboxes["api"].pk, "external_id": "a"}
    response = api.post("/tickets", payload, **{"Idempotency-Key": "b"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_idempotency_key"
    assert Ticket.objects.count() == 0


def test_create_for_a_known_customer_by_id(api, ticket, inboxes):
    payload = {"inbox": inboxes["api"].pk, "customer_id": ticket.customer_id, "body": "追加の質問"}
    response = api.post("/tickets", payload)
    assert response.status_code == 201
    assert response.json()["customer"]["id"] == ticket.customer_id
    assert response.json()["subject"] == "追加の質問"


def test_create_with_phone_finds_the_existing_customer(api, inboxes):
    known = receive(inboxes["email"], "最初の問い合わせ", phone="090-1234-5678")
    payload = {
        "inbox": inboxes["api"].pk,
        "body": "電話番号で",
        "customer": {"phone": "+81 90 1234 5678"},
    }
    response = api.post("/tickets", payload)
    assert response.status_code == 201
    assert response.json()["customer"]["id"] == known.customer_id
    assert Customer.objects.count() == 1


def test_create_refusals_change_nothing(api, inboxes, ticket):
    before = snapshot()
    inbox = inboxes["api"].pk
    cases = [
        ({"inbox": inbox, "body": "x"}, 422, "validation_error"),  # no customer
        ({"inbox": inbox, "body": "x", "customer": {"name": "名前だけ"}}, 422, "validation_error"),
        (
            {
                "inbox": inbox,
                "body": "x",
                "customer_id": ticket.customer_id,
                "customer": {"email": "a@b.jp"},
            },
            422,
            "validation_error",
        ),
        ({"inbox": inbox, "body": "", "customer": {"email": "a@b.jp"}}, 422, "validation_error"),
        (
            {"inbox": inbox, "body": "x", "customer": {"email": "not-an-address"}},
            422,
            "invalid_handle",
        ),
        ({"inbox": 999999, "body": "x", "customer": {"email": "a@b.jp"}}, 404, "inbox_not_found"),
        ({"inbox": inbox, "body": "x", "customer_id": 999999}, 404, "customer_not_found"),
        (
            {"inbox": inbox, "body": "x", "customer": {"email": "a@b.jp"}, "priority": "asap"},
            422,
            "validation_error",
        ),
        (
            {"inbox": str(inbox), "body": "x", "customer": {"email": "a@b.jp"}},
            422,
            "validation_error",
        ),
        (
            {"inbox": inbox, "body": "x", "customer": {"email": "a@b.jp"}, "tags": "vip"},
            422,
            "validation_error",
        ),
        (
            {"inbox": inbox, "body": "x", "customer": {"email": "a@b.jp"}, "color": "red"},
            422,
            "unknown_fields",
        ),
        (
            {"inbox": inbox, "body": "x", "customer": {"email": "a@b.jp", "age": 3}},
            422,
            "unknown_fields",
        ),
    ]
    for payload, status, code in cases:
        response = api.post("/tickets", payload)
        assert (response.status_code, response.json()["code"]) == (status, code), payload
    assert snapshot() == before


def test_create_in_a_switched_off_inbox_is_refused(api, inboxes):
    inboxes["api"].is_active = False
    inboxes["api"].save()
    response = api.post("/tickets", {**NEW_TICKET, "inbox": inboxes["api"].pk})
    assert (response.status_code, response.json()["code"]) == (422, "inbox_inactive")
    assert Ticket.objects.count() == 0


def test_get_ticket_with_messages_and_timeline(api, ticket, agent):
    api.post(f"/tickets/{ticket.pk}/messages", {"body": "社内メモ", "internal": True})
    response = api.get(f"/tickets/{ticket.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == ticket.number and body["subject"] == "配送状況の確認"
    assert [m["internal"] for m in body["messages"]] == [False, True]
    assert body["messages"][1]["author_agent"] == {"id": agent.pk, "display_name": "佐藤 花子"}
    assert body["messages"][0]["attachments"] == []
    assert body["timeline"][0]["kind"] == "created"


def test_unknown_ticket_is_404(api):
    for path in ("/tickets/424242", "/tickets/9223372036854775807"):
        response = api.get(path)
        assert (response.status_code, response.json()["code"]) == (404, "ticket_not_found")


def test_out_of_range_id_is_422_not_a_crash(api):
    response = api.get("/tickets/99999999999999999999")
    assert response.status_code == 422
    assert response.json()["details"][0]["location"] == "path"


def test_update_ticket_fields(api, ticket, agent, make_agent):
    from madoguchi.accounts.models import Team

    team = Team.objects.create(name="配送チーム")
    other = make_agent("agent", "高橋")
    response = api.patch(
        f"/tickets/{ticket.pk}",
        {"status": "pending", "priority": "urgent", "assignee_id": other.pk, "team_id": team.pk,
         "add_tags": ["配送", "VIP"], "subject": "配送状況（至急）"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pending" and body["priority"] == "urgent"
    assert body["assignee"]["id"] == other.pk and body["team"] == {
        "id": team.pk,
        "name": "配送チーム",
    }
    assert body["tags"] == ["VIP", "配送"] and body["subject"] == "配送状況（至急）"
    fields = set(ticket.timeline.values_list("field", flat=True))
    assert {"status", "priority", "assignee", "team", "tags", "subject"} <= fields
    # null unassigns; tags replace
    response = api.patch(f"/tickets/{ticket.pk}", {"assignee_id": None, "tags": ["返品"]})
    assert response.json()["assignee"] is None and response.json()["tags"] == ["返品"]


def test_update_refusals_change_nothing(api, ticket):
    before = snapshot()
    cases = [
        ({"status": "done"}, 422, "validation_error"),
        ({"status": None}, 422, "validation_error"),
        ({"priority": 3}, 422, "validation_error"),
        ({"assignee_id": 999999}, 422, "invalid_assignee"),
        ({"team_id": 999999}, 422, "invalid_team"),
        ({"assignee_id": "5"}, 422, "validation_error"),
        ({"tags": [1, 2]}, 422, "validation_error"),
        ({"subject": "x" * 251}, 422, "validation_error"),
        ({"status": "open", "customer_id": 1}, 422, "unknown_fields"),
    ]
    for payload, status, code in cases:
        response = api.patch(f"/tickets/{ticket.pk}", payload)
        assert (response.status_code, response.json()["code"]) == (status, code), payload
    assert snapshot() == before


def test_reply_queues_delivery_and_sets_status(api, ticket):
    response = api.post(
        f"/tickets/{ticket.pk}/messages", {"body": "確認いたします。", "status": "pending"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["internal"] is False and body["delivery"] == "queued"
    assert body["direction"] == "out" and body["author_kind"] == "agent"
    ticket.refresh_from_db()
    assert ticket.status == "pending" and ticket.first_response_at is not None
    assert Outbox.objects.get().message_id == body["id"]


def test_internal_note_with_status(api, ticket):
    response = api.post(
        f"/tickets/{ticket.pk}/messages",
        {"body": "倉庫に確認中", "internal": True, "status": "on_hold"},
    )
    assert response.status_code == 201
    assert response.json()["internal"] is True and response.json()["delivery"] == "not_sent"
    ticket.refresh_from_db()
    assert ticket.status == "on_hold" and not Outbox.objects.exists()


def test_stale_reply_is_409_and_writes_nothing(api, ticket, inboxes):
    seen = ticket.messages.get().pk
    receive(inboxes["email"], "追伸：急ぎです", ticket_id=ticket.pk)
    before = snapshot()
    response = api.post(
        f"/tickets/{ticket.pk}/messages",
        {"body": "お待たせしました", "expected_last_message_id": seen},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_ticket"
    assert response.json()["details"]["new_message_ids"]
    assert snapshot() == before
    latest = ticket.messages.order_by("-pk").first().pk
    response = api.post(
        f"/tickets/{ticket.pk}/messages",
        {"body": "お待たせしました", "expected_last_message_id": latest},
    )
    assert response.status_code == 201


def test_reply_refusals_change_nothing(api, ticket):
    before = snapshot()
    cases = [
        ({"body": "   "}, 422, "empty_reply"),
        ({"body": "x", "internal": "yes"}, 422, "validation_error"),
        ({"body": 12}, 422, "validation_error"),
        ({"text": "hello"}, 422, "validation_error"),
        ({"body": "x", "cc": "a@b.jp"}, 422, "validation_error"),
        ({"body": "x", "bcc": ["a@b.jp"]}, 422, "unknown_fields"),
        ({"body": "x", "status": "archived"}, 422, "validation_error"),
    ]
    for payload, status, code in cases:
        response = api.post(f"/tickets/{ticket.pk}/messages", payload)
        assert (response.status_code, response.json()["code"]) == (status, code), payload
    assert snapshot() == before


def test_merge_tickets(api, ticket, inboxes):
    other = receive(inboxes["email"], "同じ件です", subject="再送")
    response = api.post(f"/tickets/{other.pk}/merge", {"into": ticket.pk})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == ticket.pk and response.json()["message_count"] == 2
    other.refresh_from_db()
    assert other.merged_into_id == ticket.pk and other.status == "closed"
    again = api.post(f"/tickets/{other.pk}/merge", {"into": ticket.pk})
    assert (again.status_code, again.json()["code"]) == (409, "already_merged")
    itself = api.post(f"/tickets/{ticket.pk}/merge", {"into": ticket.pk})
    assert (itself.status_code, itself.json()["code"]) == (422, "merge_self")
    missing = api.post(f"/tickets/{ticket.pk}/merge", {"into": 987654})
    assert (missing.status_code, missing.json()["code"]) == (404, "ticket_not_found")


def test_apply_macro(api, ticket, brand):
    macro = Macro.objects.create(
        name="配送遅延のお詫び",
        body="{{customer.name}} 様\n{{ticket.number}} の件、お詫び申し上げます。",
        set_status="pending", add_tags=["配送遅延"],
    )  # fmt: skip
    response = api.post(f"/tickets/{ticket.pk}/macros/{macro.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"]["body_text"].startswith("山田 太郎 様\n#")
    assert body["ticket"]["status"] == "pending" and body["ticket"]["tags"] == ["配送遅延"]
    macro.refresh_from_db()
    assert macro.usage_count == 1
    edited = api.post(f"/tickets/{ticket.pk}/macros/{macro.pk}", {"body": "手直しした文面"})
    assert edited.json()["message"]["body_text"] == "手直しした文面"
    quiet = api.post(f"/tickets/{ticket.pk}/macros/{macro.pk}", {"send": False})
    assert quiet.status_code == 200 and quiet.json()["message"] is None


def test_unknown_macro_is_404(api, ticket):
    before = snapshot()
    response = api.post(f"/tickets/{ticket.pk}/macros/4242")
    assert (response.status_code, response.json()["code"]) == (404, "macro_not_found")
    assert snapshot() == before
