"""POST /tickets/{id}/messages with To / Cc / Subject and channel limits; the macro endpoint's
stale-ticket guard. Every refusal is the usual 422/409 error shape and writes nothing."""

from __future__ import annotations

import pytest

from madoguchi.customers.models import Identity
from madoguchi.inboxes.delivery import outbound_for
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.inboxes.models import Outbox
from madoguchi.tickets.models import Macro, Ticket
from madoguchi.tickets.reply_limits import reply_limit
from tests.inboxes.factories import receive as receive_on

from .client import receive, snapshot


@pytest.fixture
def ticket(inboxes):  # type: ignore[no-untyped-def]
    """An email ticket whose customer has a second address."""
    ticket = receive(inboxes["email"], "注文した商品がまだ届きません。", subject="配送状況の確認")
    Identity.objects.create(
        customer_id=ticket.customer_id, kind="email", handle="taro.work@example.co.jp"
    )
    return ticket


@pytest.fixture
def sms_ticket(inboxes):  # type: ignore[no-untyped-def]
    result = receive_on(
        inboxes["sms"], sender=SenderHandle("phone", "+819012345678"), body_text="届きません"
    )
    return Ticket.objects.get(pk=result.ticket_id)


def messages_url(ticket: Ticket) -> str:
    return f"/tickets/{ticket.pk}/messages"


def test_email_reply_with_to_cc_and_subject(api, ticket):
    response = api.post(
        messages_url(ticket),
        {
            "body": "山田様\nお届け予定日をご案内します。",
            "to": "TARO.WORK@example.co.jp",
            "cc": ["shipping@shop.test", " ", "taro.work@example.co.jp", "boss@example.jp"],
            "subject": "Re: 配送状況の確認",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "Re: 配送状況の確認"
    # The address as the customer's identity has it; the To address is not repeated in Cc.
    assert body["route"] == {
        "transport": "email",
        "to": "taro.work@example.co.jp",
        "cc": ["shipping@shop.test", "boss@example.jp"],
    }
    outbound = outbound_for(Outbox.objects.get(message_id=body["id"]))
    assert outbound.to == "taro.work@example.co.jp"
    assert outbound.cc == ("shipping@shop.test", "boss@example.jp")
    assert outbound.subject == "Re: 配送状況の確認"


def test_reply_without_mail_fields_goes_to_the_primary_address(api, ticket):
    response = api.post(messages_url(ticket), {"body": "確認いたします。"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["route"] == {"transport": "email", "to": "taro@example.jp", "cc": []}
    assert body["subject"] == "配送状況の確認"
    note = api.post(messages_url(ticket), {"body": "社内メモ", "internal": True})
    assert note.status_code == 201 and note.json()["route"] is None


@pytest.mark.parametrize(
    ("payload", "code", "details"),
    [
        ({"to": "stranger@example.jp"}, "invalid_recipient", "choices"),
        ({"cc": ["not-an-address"]}, "invalid_cc", "invalid"),
        ({"cc": [f"p{i}@example.jp" for i in range(11)]}, "too_many_cc", None),
        ({"subject": "件名\r\nBcc: evil@example.jp"}, "invalid_subject", None),
        ({"internal": True, "cc": ["boss@example.jp"]}, "recipients_not_mail", None),
        ({"internal": True, "to": "taro@example.jp"}, "recipients_not_mail", None),
    ],
)
def test_bad_mail_fields_are_422_and_write_nothing(api, ticket, payload, code, details):
    before = snapshot()
    outbox = Outbox.objects.count()
    response = api.post(messages_url(ticket), {"body": "ご連絡いたします。", **payload})
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["code"] == code and error["message"]
    if details:
        assert error["details"][details]
    assert snapshot() == before and Outbox.objects.count() == outbox


def test_recipient_error_lists_the_customers_addresses(api, ticket):
    response = api.post(messages_url(ticket), {"body": "x", "to": "stranger@example.jp"})
    assert sorted(response.json()["details"]["choices"]) == [
        "taro.work@example.co.jp",
        "taro@example.jp",
    ]


@pytest.mark.parametrize(
    ("payload", "field", "kind"),
    [
        ({"cc": "boss@example.jp"}, "cc", "list_type"),
        ({"cc": [1]}, "cc.0", "string_type"),
        ({"cc": ["a" * 250 + "@x.jp"]}, "cc.0", "string_too_long"),
        ({"to": ["taro@example.jp"]}, "to", "string_type"),
        ({"to": None}, "to", "null_not_allowed"),
        ({"subject": "x" * 251}, "subject", "string_too_long"),
        ({"subject": None}, "subject", "null_not_allowed"),
        ({"bcc": ["boss@example.jp"]}, "bcc", "extra_forbidden"),
    ],
)
def test_mistyped_mail_fields_are_field_errors(api, ticket, payload, field, kind):
    before = snapshot()
    response = api.post(messages_url(ticket), {"body": "x", **payload})
    assert response.status_code == 422
    error = response.json()
    assert error["code"] in ("validation_error", "unknown_fields")
    assert [(d["field"], d["type"]) for d in error["details"]] == [(field, kind)]
    assert all(d["message"] for d in error["details"])
    assert snapshot() == before


def test_to_and_cc_are_refused_on_a_channel_that_is_not_mail(api, sms_ticket):
    before = snapshot()
    for extra in ({"cc": ["boss@example.jp"]}, {"to": "taro@example.jp"}):
        response = api.post(messages_url(sms_ticket), {"body": "はい", **extra})
        assert (response.status_code, response.json()["code"]) == (422, "recipients_not_mail")
    assert snapshot() == before


def test_plain_text_channel_limit(api, sms_ticket):
    limit = reply_limit("sms")
    assert limit
    before = snapshot()
    response = api.post(messages_url(sms_ticket), {"body": "あ" * (limit + 1)})
    assert response.status_code == 422
    assert response.json()["code"] == "reply_too_long"
    assert response.json()["details"] == {"limit": limit, "length": limit + 1}
    assert snapshot() == before
    ok = api.post(messages_url(sms_ticket), {"body": "あ" * limit})
    assert ok.status_code == 201, ok.content
    assert ok.json()["body_text"] == "あ" * limit
    note = api.post(messages_url(sms_ticket), {"body": "メモ" * limit, "internal": True})
    assert note.status_code == 201


def test_stale_guard_still_comes_first_with_mail_fields(api, ticket, inboxes):
    seen = ticket.messages.get().pk
    receive(inboxes["email"], "追伸：急ぎです", ticket_id=ticket.pk)
    before = snapshot()
    response = api.post(
        messages_url(ticket),
        {"body": "お待たせしました", "to": "taro@example.jp", "expected_last_message_id": seen},
    )
    assert (response.status_code, response.json()["code"]) == (409, "stale_ticket")
    assert snapshot() == before


@pytest.fixture
def macro(brand):  # type: ignore[no-untyped-def]
    return Macro.objects.create(
        name="配送遅延のお詫び", body="{{customer.name}} 様、お待たせしております。",
        set_status="pending", add_tags=["配送遅延"],
    )  # fmt: skip


def test_macro_with_a_stale_view_is_409_and_changes_nothing(api, ticket, inboxes, macro):
    seen = ticket.messages.get().pk
    receive(inboxes["email"], "追伸：急ぎです", ticket_id=ticket.pk)
    before = snapshot()
    url = f"/tickets/{ticket.pk}/macros/{macro.pk}"
    response = api.post(url, {"expected_last_message_id": seen})
    assert response.status_code == 409
    assert response.json()["code"] == "stale_ticket"
    assert response.json()["details"]["new_message_ids"]
    assert snapshot() == before
    macro.refresh_from_db()
    assert macro.usage_count == 0
    latest = ticket.messages.order_by("-pk").first().pk
    ok = api.post(url, {"expected_last_message_id": latest})
    assert ok.status_code == 200, ok.content
    assert ok.json()["message"]["body_text"] == "山田 太郎 様、お待たせしております。"
    assert ok.json()["ticket"]["status"] == "pending"


def test_macro_refuses_a_mistyped_expected_id(api, ticket, macro):
    before = snapshot()
    response = api.post(
        f"/tickets/{ticket.pk}/macros/{macro.pk}", {"expected_last_message_id": "12"}
    )
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "expected_last_message_id"
    assert snapshot() == before
