"""Connectors: phone / FAX / API parse → ingest, reply routes, record-only channels."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from madoguchi.connectors import api, fax, phone, registry
from madoguchi.connectors.base import PermanentDeliveryError, ReplyRoute
from madoguchi.core.errors import Forbidden, NotFound, ValidationFailed
from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import OutboundMessage, SenderHandle
from madoguchi.inboxes.models import Outbox
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import (
    Attachment,
    AuthorKind,
    Delivery,
    Direction,
    Message,
    Status,
    Ticket,
    TimelineEvent,
)
from tests.inboxes.factories import receive


def tags(ticket_id: int) -> list[str]:
    return sorted(Ticket.objects.get(pk=ticket_id).tags.values_list("name", flat=True))


def test_registry_knows_the_first_connectors():
    assert {"api", "email", "fax", "form", "phone"} <= set(registry.kinds())
    for kind in ("api", "fax", "form", "phone"):
        route = registry.get(kind).reply_route({"email": ["a@example.jp"]}, "名前")
        assert route == ReplyRoute("email", "a@example.jp", "名前")
        assert registry.get(kind).reply_route({"phone": ["+819012345678"]}, "名前") is None


@pytest.mark.parametrize("kind", ["line", "meta", "x", "sms", "chat", "unheard-of"])
def test_kinds_without_a_package_record_only(kind):
    connector = registry.get(kind)
    assert connector.kind == kind
    assert connector.reply_route({"email": ["a@example.jp"], "line": ["U1"]}, "x") is None
    outbound = OutboundMessage(
        outbox_id=1, idempotency_key="k", inbox_id=1, inbox_kind=kind, inbox_address="",
        inbox_name="", transport=kind, to="U1", to_name="", subject="", body_text="x",
        body_html="", ticket_number=1, message_id=1,
    )  # fmt: skip
    with pytest.raises(PermanentDeliveryError):
        connector.send(outbound)


def test_reply_on_record_only_channel_is_not_sent(inboxes, agent):
    result = receive(inboxes["line"], sender=SenderHandle("line", "U4af4980629"), sender_name="")
    message = do_reply(agent, result.ticket_id, "LINEでの返信です。")
    assert message.delivery == Delivery.NOT_SENT
    assert message.meta == {}
    assert Outbox.objects.count() == 0


def test_phone_call_from_known_customer_updates_their_ticket(inboxes, agent):
    first = receive(
        inboxes["form"],
        sender=SenderHandle("email", "ichiro@example.jp"),
        extra_handles=[SenderHandle("phone", "090-1234-5678")],
        sender_name="鈴木 一郎",
    )
    started = timezone.now() - timedelta(minutes=5)
    call = phone.CallLog(
        number="+81 90 1234 5678",
        direction="in",
        summary="配送状況の問い合わせ。\n明日の午前に折り返し希望。",
        follow_up=True,
        duration_seconds=180,
        started_at=started,
        ticket_id=first.ticket_id,
        call_id="pbx-0001",
    )
    result = ingest(phone.parse(inboxes["phone"].pk, call, agent.pk))
    assert result.ticket_id == first.ticket_id and result.customer_id == first.customer_id
    message = Message.objects.get(pk=result.message_id)
    assert message.direction == Direction.INBOUND
    assert message.author_kind == AuthorKind.CUSTOMER and message.author_agent_id == agent.pk
    assert message.created_at == started
    assert message.meta["call"] == {
        "direction": "in",
        "number": "+81 90 1234 5678",
        "duration_seconds": 180,
        "follow_up": True,
    }
    assert tags(first.ticket_id) == ["follow-up", "phone"]
    # The same PBX call logged twice is one message.
    again = ingest(phone.parse(inboxes["phone"].pk, call, agent.pk))
    assert again.duplicate and Message.objects.filter(ticket_id=first.ticket_id).count() == 2


def test_phone_call_from_new_number_opens_ticket(inboxes, agent):
    call = phone.CallLog(
        number="06-1234-5678", direction="in", summary="返品したい", caller_name=""
    )
    result = ingest(phone.parse(inboxes["phone"].pk, call, agent.pk))
    assert result.created_ticket
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.channel == "phone" and ticket.subject.endswith("返品したい")
    assert Identity.objects.get(customer_id=result.customer_id).handle == "+81612345678"
    assert tags(ticket.pk) == ["phone"]
    created = TimelineEvent.objects.get(ticket=ticket, kind="created")
    assert created.actor_agent_id == agent.pk


def test_outgoing_call_is_the_agents_response(inboxes, agent):
    first = receive(inboxes["phone"], sender=SenderHandle("phone", "03-1111-2222"))
    call = phone.CallLog(
        number="0311112222", direction="out", summary="折り返し連絡済み", ticket_id=first.ticket_id
    )
    result = ingest(phone.parse(inboxes["phone"].pk, call, agent.pk))
    message = Message.objects.get(pk=result.message_id)
    assert message.direction == Direction.OUTBOUND and message.author_kind == AuthorKind.AGENT
    assert message.delivery == Delivery.NOT_SENT
    ticket = Ticket.objects.get(pk=first.ticket_id)
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at == message.created_at


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (phone.CallLog(number="090-1234-5678", direction="up", summary="x"), "invalid_direction"),
        (phone.CallLog(number="", direction="in", summary="x"), "missing_sender"),
        (
            phone.CallLog(number="090-1234-5678", direction="in", summary="x", duration_seconds=-1),
            "invalid_duration",
        ),
    ],
)
def test_bad_call_logs_are_refused_by_parse(inboxes, agent, call, code):
    with pytest.raises(ValidationFailed) as info:
        phone.parse(inboxes["phone"].pk, call, agent.pk)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (phone.CallLog(number="でんわ", direction="in", summary="x"), "invalid_handle"),
        (phone.CallLog(number="090-1234-5678", direction="in", summary="  "), "empty_message"),
        (
            phone.CallLog(number="090-1234-5678", direction="in", summary="x", call_id="c" * 300),
            "invalid_external_id",
        ),
    ],
)
def test_bad_call_logs_are_refused_by_ingest(inboxes, agent, call, code):
    with pytest.raises(ValidationFailed) as info:
        ingest(phone.parse(inboxes["phone"].pk, call, agent.pk))
    assert info.value.code == code
    assert Ticket.objects.count() == Customer.objects.count() == 0


def test_viewer_cannot_log_calls(inboxes, make_agent):
    call = phone.CallLog(number="090-1234-5678", direction="in", summary="x")
    with pytest.raises(Forbidden):
        ingest(phone.parse(inboxes["phone"].pk, call, make_agent("viewer").pk))
    assert Ticket.objects.count() == 0


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_fax_order_links_the_customer_and_keeps_the_scan(inboxes, agent):
    customer = Customer.objects.create(name="株式会社ミドリ商会")
    upload = fax.FaxUpload(
        filename="注文書.pdf",
        content_type="application/pdf",
        data=PDF,
        note="定期注文（FAX）: 緑茶 20箱",
        irregular_order=True,
        fax_number="03-5555-6666",
        sender_name="ミドリ商会",
        customer_id=customer.pk,
    )
    result = ingest(fax.parse(inboxes["fax"].pk, upload, agent.pk))
    assert result.customer_id == customer.pk and result.created_ticket
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.channel == "fax"
    assert tags(ticket.pk) == ["fax", "irregular-order"]
    assert Identity.objects.get(customer=customer).handle == "+81355556666"
    message = Message.objects.get(pk=result.message_id)
    assert message.author_kind == AuthorKind.CUSTOMER and message.author_agent_id == agent.pk
    assert message.meta["fax"]["irregular_order"] is True
    attachment = Attachment.objects.get(message=message)
    assert attachment.filename == "注文書.pdf" and attachment.content_type == "application/pdf"
    with attachment.file.open("rb") as fh:
        assert fh.read() == PDF
    # The same scan uploaded twice is one message.
    assert ingest(fax.parse(inboxes["fax"].pk, upload, agent.pk)).duplicate
    assert Attachment.objects.count() == 1


def test_fax_without_number_or_customer_is_refused(inboxes, agent):
    upload = fax.FaxUpload("scan.png", "image/png", b"\x89PNG data", "", irregular_order=False)
    with pytest.raises(ValidationFailed) as info:
        ingest(fax.parse(inboxes["fax"].pk, upload, agent.pk))
    assert info.value.code == "missing_sender"


@pytest.mark.parametrize(
    ("content_type", "data", "code"),
    [("application/zip", b"PK..", "invalid_file_type"), ("application/pdf", b"", "empty_file")],
)
def test_fax_upload_checks_the_file(inboxes, agent, content_type, data, code):
    upload = fax.FaxUpload(
        "x", content_type, data, "", irregular_order=False, fax_number="0312345678"
    )
    with pytest.raises(ValidationFailed) as info:
        fax.parse(inboxes["fax"].pk, upload, agent.pk)
    assert info.value.code == code


def test_fax_by_outsourced_agent_outside_grant_is_not_found(inboxes, make_agent):
    upload = fax.FaxUpload("x.pdf", "application/pdf", PDF, "", False, fax_number="0312345678")
    with pytest.raises(NotFound):
        ingest(fax.parse(inboxes["fax"].pk, upload, make_agent("outsourced").pk))
    assert Ticket.objects.count() == 0


def test_api_ticket_with_customer_handles_tags_and_priority(inboxes):
    payload = {
        "external_id": "crm-42",
        "subject": "返品・交換の依頼",
        "body": "サイズが合わないため交換を希望します。",
        "priority": "urgent",
        "tags": ["返品", "交換"],
        "customer": {
            "name": "伊藤 さくら",
            "name_kana": "イトウ サクラ",
            "email": "Sakura@Example.jp",
            "phone": "080-3333-4444",
            "external_id": 9001,
        },
    }
    result = ingest(api.parse(inboxes["api"].pk, payload))
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert (ticket.subject, ticket.priority, ticket.channel) == (
        "返品・交換の依頼",
        "urgent",
        "api",
    )
    assert tags(ticket.pk) == ["交換", "返品"]
    customer = Customer.objects.get(pk=result.customer_id)
    assert (customer.name, customer.name_kana) == ("伊藤 さくら", "イトウ サクラ")
    assert sorted(customer.identities.values_list("kind", "handle")) == [
        ("api", "9001"),
        ("email", "sakura@example.jp"),
        ("phone", "+818033334444"),
    ]
    assert Message.objects.get(pk=result.message_id).meta == {"source": "api"}
    assert ingest(api.parse(inboxes["api"].pk, payload)).duplicate
    # An API ticket is answered by email when the customer has an address.
    assert registry.get("api").reply_route({"email": ["sakura@example.jp"]}, "") is not None


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"body": "x"}, "missing_sender"),
        ({"body": "", "customer": {"email": "a@example.jp"}}, "empty_message"),
        ({"body": "x", "customer": {"email": "nope"}}, "invalid_handle"),
        (
            {"body": "x", "priority": "p1", "customer": {"email": "a@example.jp"}},
            "invalid_priority",
        ),
    ],
)
def test_bad_api_payloads_write_nothing(inboxes, payload, code):
    with pytest.raises(ValidationFailed) as info:
        ingest(api.parse(inboxes["api"].pk, payload))
    assert info.value.code == code
    assert Ticket.objects.count() == Customer.objects.count() == 0


def test_api_ticket_for_known_customer_id(inboxes):
    customer = Customer.objects.create(name="既存 顧客")
    result = ingest(api.parse(inboxes["api"].pk, {"body": "質問です", "customer_id": customer.pk}))
    assert result.customer_id == customer.pk
    with pytest.raises(NotFound):
        ingest(api.parse(inboxes["api"].pk, {"body": "質問です", "customer_id": 987_654}))


def test_phone_call_time_is_kept(inboxes, agent):
    when = datetime(2025, 3, 1, 10, 30, tzinfo=timezone.get_current_timezone())
    call = phone.CallLog(number="0312345678", direction="in", summary="住所変更", started_at=when)
    result = ingest(phone.parse(inboxes["phone"].pk, call, agent.pk))
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.created_at == when == ticket.last_customer_message_at


def test_contact_form_post_becomes_a_ticket(inboxes, settings):
    from madoguchi.connectors.form import submission

    data = {
        "name": "小林 美紀",
        "name_kana": "コバヤシ ミキ",
        "email": "Miki@Example.jp",
        "phone": "090-4444-5555",
        "order_number": "A-10023",
        "category": "return",
        "subject": "サイズ交換",
        "body": "届いた靴が小さいので交換したいです。",
        "website": "",
        "token": submission.new_token(),
    }
    form = submission.ContactForm(data)
    assert form.is_valid(), form.errors
    assert not submission.is_bot(form)
    result = ingest(submission.parse(inboxes["form"], form.cleaned_data, "203.0.113.5"))
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.subject == "サイズ交換"
    assert tags(ticket.pk) == ["form:return"]
    body = Message.objects.get(pk=result.message_id).body_text
    assert body.startswith("届いた靴が小さいので") and "A-10023" in body
    assert sorted(Identity.objects.values_list("handle", flat=True)) == [
        "+819044445555",
        "miki@example.jp",
    ]
    # Posting the same form twice (double click) is one message.
    again = ingest(submission.parse(inboxes["form"], form.cleaned_data, "203.0.113.5"))
    assert again.duplicate


def test_contact_form_validation_honeypot_and_rate_limit(inboxes, settings):
    from madoguchi.connectors.form import submission

    bad = submission.ContactForm(
        {"name": "", "email": "nope", "phone": "abc", "category": "x", "subject": "", "body": "",
         "token": "not-a-uuid"}
    )  # fmt: skip
    assert not bad.is_valid()
    assert {"name", "email", "phone", "category", "subject", "body", "token"} <= set(bad.errors)
    bot = submission.ContactForm({"website": "http://spam.example"})
    assert submission.is_bot(bot)
    settings.FORM_RATE_LIMIT_PER_HOUR = 2
    inbox = inboxes["form"]
    assert not submission.rate_limited(inbox, "198.51.100.7")
    submission.note_submission(inbox, "198.51.100.7")
    submission.note_submission(inbox, "198.51.100.7")
    assert submission.rate_limited(inbox, "198.51.100.7")
    assert not submission.rate_limited(inbox, "198.51.100.8")
