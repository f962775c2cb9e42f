"""Customers through the API: search, read, create, change, merge, and the refusals."""

from __future__ import annotations

from madoguchi.customers.models import Customer, Identity
from madoguchi.tickets.models import Ticket

from .client import receive, snapshot

NEW_CUSTOMER = {
    "name": "田中 一郎",
    "name_kana": "タナカ イチロウ",
    "language": "ja",
    "postal_code": "150-0001",
    "address": "東京都渋谷区神宮前1-1-1",
    "tags": ["VIP"],
    "custom_fields": {"会員番号": "A-1001"},
    "identities": [
        {"kind": "email", "value": "Ichiro@Example.JP"},
        {"kind": "phone", "value": "03-1234-5678"},
    ],
}


def test_create_customer(api):
    response = api.post("/customers", NEW_CUSTOMER)
    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get()
    assert body["id"] == customer.pk and body["name_kana"] == "タナカ イチロウ"
    assert body["custom_fields"] == {"会員番号": "A-1001"} and body["tags"] == ["VIP"]
    handles = {(i["kind"], i["handle"]) for i in body["identities"]}
    assert handles == {("email", "ichiro@example.jp"), ("phone", "+81312345678")}


def test_create_refusals_change_nothing(api, ticket):
    before = snapshot()
    cases = [
        ({"identities": [{"kind": "email", "value": "taro@example.jp"}]}, 409, "identity_taken"),
        ({"identities": [{"kind": "email", "value": "no-at-sign"}]}, 422, "invalid_handle"),
        ({"identities": [{"kind": "pager", "value": "123"}]}, 422, "validation_error"),
        ({"name": "x", "language": "fr"}, 422, "invalid_language"),
        ({"name": 42}, 422, "validation_error"),
        ({"name": "x" * 201}, 422, "validation_error"),
        ({"tags": "VIP"}, 422, "validation_error"),
        ({"custom_fields": ["a"]}, 422, "validation_error"),
        ({"name": "x", "birthday": "1990-01-01"}, 422, "unknown_fields"),
        ({"name": None}, 422, "validation_error"),
    ]
    for payload, status, code in cases:
        response = api.post("/customers", payload)
        assert (response.status_code, response.json()["code"]) == (status, code), payload
    assert snapshot() == before


def test_get_customer_with_identities_and_recent_tickets(api, ticket, inboxes):
    second = receive(inboxes["form"], "もう一件", email="taro@example.jp")
    response = api.get(f"/customers/{ticket.customer_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "山田 太郎"
    assert [i["handle"] for i in body["identities"]] == ["taro@example.jp"]
    assert [t["id"] for t in body["recent_tickets"]] == [second.pk, ticket.pk]
    assert body["recent_tickets"][0]["number"] == second.number


def test_unknown_customer_is_404(api):
    response = api.get("/customers/777777")
    assert (response.status_code, response.json()["code"]) == (404, "customer_not_found")


def test_update_customer(api, ticket):
    url = f"/customers/{ticket.customer_id}"
    response = api.patch(
        url,
        {"name_kana": "ヤマダ タロウ", "notes": "午前中の配達希望",
         "add_identities": [{"kind": "phone", "value": "090-1111-2222"}]},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name_kana"] == "ヤマダ タロウ" and body["notes"] == "午前中の配達希望"
    assert body["name"] == "山田 太郎"  # untouched
    assert {i["kind"] for i in body["identities"]} == {"email", "phone"}


def test_update_refusals_change_nothing(api, ticket, inboxes):
    receive(inboxes["email"], "別の人", email="other@example.jp")
    before = snapshot()
    url = f"/customers/{ticket.customer_id}"
    cases = [
        (
            {"add_identities": [{"kind": "email", "value": "other@example.jp"}]},
            409,
            "identity_taken",
        ),
        ({"notes": None}, 422, "validation_error"),
        ({"language": "xx"}, 422, "invalid_language"),
        ({"merged_into": 1}, 422, "unknown_fields"),
        ({"tags": [1]}, 422, "validation_error"),
    ]
    for payload, status, code in cases:
        response = api.patch(url, payload)
        assert (response.status_code, response.json()["code"]) == (status, code), payload
    response = api.patch("/customers/888888", {"notes": "x"})
    assert (response.status_code, response.json()["code"]) == (404, "customer_not_found")
    assert snapshot() == before


def test_merge_customers(api, ticket, inboxes):
    other = receive(inboxes["form"], "別アドレスから", email="taro.yamada@example.jp", name="")
    response = api.post(f"/customers/{other.customer_id}/merge", {"into": ticket.customer_id})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == ticket.customer_id
    assert {i["handle"] for i in body["identities"]} == {
        "taro@example.jp",
        "taro.yamada@example.jp",
    }
    assert Ticket.objects.get(pk=other.pk).customer_id == ticket.customer_id
    assert Customer.objects.get(pk=other.customer_id).merged_into_id == ticket.customer_id
    # the merged customer is gone from the API
    gone = api.get(f"/customers/{other.customer_id}")
    assert (gone.status_code, gone.json()["code"]) == (404, "customer_not_found")


def test_merge_refusals_change_nothing(api, ticket):
    before = snapshot()
    url = f"/customers/{ticket.customer_id}/merge"
    cases = [
        ({"into": ticket.customer_id}, 422, "merge_self"),
        ({"into": 999999}, 404, "customer_not_found"),
        ({"into": "1"}, 422, "validation_error"),
        ({}, 422, "validation_error"),
    ]
    for payload, status, code in cases:
        response = api.post(url, payload)
        assert (response.status_code, response.json()["code"]) == (status, code), payload
    assert snapshot() == before


def test_search_customers(api, inboxes):
    receive(inboxes["email"], "a", email="sato@example.jp", name="佐藤 健", phone="080-2222-3333")
    suzuki = receive(inboxes["email"], "b", email="suzuki@example.jp", name="鈴木 一郎")
    sato = Customer.objects.get(name="佐藤 健")
    api.patch(f"/customers/{sato.pk}", {"name_kana": "サトウ ケン"})

    def found(q: str) -> list[int]:
        response = api.get("/customers", {"q": q})
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert found("佐藤") == [sato.pk]
    assert found("サトウ") == [sato.pk]
    assert found("suzuki@example.jp") == [suzuki.customer_id]
    assert found("08022223333") == [sato.pk]
    assert found("080-2222-3333") == [sato.pk]
    assert found("該当なし") == []
    assert set(found("")) == {sato.pk, suzuki.customer_id}


def test_customer_pagination_walk(api, inboxes):
    for n in range(5):
        receive(inboxes["email"], "問い合わせ", email=f"p{n}@example.jp", name=f"顧客{n}")
    seen: list[int] = []
    cursor = None
    while True:
        body = api.get("/customers", {"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(Customer.objects.values_list("pk", flat=True), reverse=True)
    for bad in ("zzz", "eyJiZWZvcmUiOiAiMSJ9"):  # garbage; {"before": "1"}
        response = api.get("/customers", {"cursor": bad})
        assert (response.status_code, response.json()["code"]) == (422, "invalid_cursor")
    response = api.get("/customers", {"query": "x"})
    assert (response.status_code, response.json()["code"]) == (422, "unknown_fields")
    assert Identity.objects.count() == 5
