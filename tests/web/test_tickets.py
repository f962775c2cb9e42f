"""The ticket page: replies, notes, the stale-reply guard, fields, macros, merge, spam, roles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from madoguchi.inboxes.models import Outbox, OutboxState
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Delivery, Macro, Message, Ticket

pytestmark = pytest.mark.django_db


def _reply(client, ticket, body, **extra):  # type: ignore[no-untyped-def]
    data = {"body": body, "mode": "public", "set_status": ""}
    data.update(extra)
    return client.post(reverse("web:ticket_reply", args=[ticket.pk]), data)


def _last_id(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket).order_by("-pk").values_list("pk", flat=True)[0]


def test_public_reply_is_stored_with_an_outbox_row(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent)
    response = _reply(
        client,
        ticket,
        "山田様\nご連絡ありがとうございます。",
        expected_last_message_id=_last_id(ticket),
    )
    message = Message.objects.filter(ticket=ticket, author_agent=agent).get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#message-{message.pk}")
    assert not message.is_internal and message.delivery == Delivery.QUEUED
    assert Outbox.objects.filter(message=message).exists()
    page = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert "ご連絡ありがとうございます。" in page
    assert "taro@example.jp" in page


def test_internal_note_is_not_sent(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent, "en")
    response = _reply(client, ticket, "在庫を確認中。", mode="internal")
    assert response.status_code == 302
    note = Message.objects.get(ticket=ticket, author_agent=agent)
    assert note.is_internal
    assert not Outbox.objects.filter(message=note).exists()
    page = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert "msg-note" in page and "在庫を確認中。" in page


def test_stale_reply_is_held_and_the_draft_kept(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent)
    seen = _last_id(ticket)
    make_ticket(ticket=ticket, body="追伸：住所も変わりました。")
    response = _reply(client, ticket, "確認いたします。", expected_last_message_id=seen)
    assert response.status_code == 409
    assert not Message.objects.filter(ticket=ticket, author_agent=agent).exists()
    html = response.content.decode()
    assert "確認いたします。" in html  # the draft is still in the reply box
    assert "msg-new" in html and "追伸：住所も変わりました。" in html
    newest = _last_id(ticket)
    assert f'name="expected_last_message_id" value="{newest}"' in html
    again = _reply(client, ticket, "確認いたします。", expected_last_message_id=newest)
    assert again.status_code == 302
    assert Message.objects.filter(ticket=ticket, author_agent=agent).count() == 1


def test_empty_reply_is_refused_without_writing(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent)
    response = _reply(client, ticket, "   ")
    assert response.status_code == 422
    assert "data-error-message" in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_viewer_cannot_reply(login, make_agent, make_ticket):
    ticket = make_ticket()
    viewer = make_agent("viewer")
    client = login(viewer)
    page = client.get(reverse("web:ticket", args=[ticket.pk]))
    assert page.status_code == 200
    assert 'id="reply"' not in page.content.decode()
    response = _reply(client, ticket, "見ているだけのはず")
    assert response.status_code == 403
    assert "data-error-message" in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert not Outbox.objects.exists()
    update = client.post(
        reverse("web:ticket_update", args=[ticket.pk]),
        {"status": "solved", "priority": "urgent", "assignee": "", "team": "", "tags": "x"},
    )
    assert update.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.priority == "normal"


def test_outsourced_agent_sees_only_granted_inboxes(login, make_agent, make_ticket, inboxes):
    ticket = make_ticket("email")
    outsider = make_agent("outsourced")
    client = login(outsider)
    assert client.get(reverse("web:ticket", args=[ticket.pk])).status_code == 404
    response = _reply(client, ticket, "届くはずがない返信")
    assert response.status_code == 404
    assert Message.objects.filter(ticket=ticket).count() == 1
    inbox_page = client.get(reverse("web:inbox")).content.decode()
    assert f"#{ticket.number}" not in inbox_page
    inboxes["email"].granted_agents.add(outsider)
    assert client.get(reverse("web:ticket", args=[ticket.pk])).status_code == 200
    assert f"#{ticket.number}" in client.get(reverse("web:inbox")).content.decode()


def test_side_panel_updates_fields_over_htmx(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent)
    response = client.post(
        reverse("web:ticket_update", args=[ticket.pk]),
        {
            "status": "pending",
            "priority": "high",
            "assignee": agent.pk,
            "team": "",
            "tags": "配送、VIP",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ticket-properties"' in html and 'hx-swap-oob="true"' in html
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee_id) == ("pending", "high", agent.pk)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["VIP", "配送"]
    plain = client.post(
        reverse("web:ticket_update", args=[ticket.pk]),
        {"status": "solved", "priority": "high", "assignee": "", "team": "", "tags": ""},
    )
    assert plain.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "solved" and ticket.assignee_id is None and not ticket.tags.exists()


def test_side_panel_rejects_unknown_values(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent)
    response = client.post(
        reverse("web:ticket_update", args=[ticket.pk]),
        {"status": "bogus", "priority": "normal", "assignee": "999999", "team": "", "tags": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "field-error" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_merge_by_ticket_number(login, agent, make_ticket):
    source = make_ticket(subject="重複した問い合わせ")
    target = make_ticket(email="hanako@example.jp", name="佐々木 花子")
    client = login(agent)
    url = reverse("web:ticket_merge", args=[source.pk])
    assert client.post(url, {"target": f"#{source.number}"}).status_code == 422
    assert client.post(url, {"target": "#99999999"}).status_code == 404
    assert client.post(url, {"target": "abc"}).status_code == 422
    source.refresh_from_db()
    assert source.merged_into_id is None
    response = client.post(url, {"target": f"＃{target.number}"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:ticket", args=[target.pk])
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    merged_page = client.get(reverse("web:ticket", args=[source.pk])).content.decode()
    assert f"#{target.number}" in merged_page and 'id="reply"' not in merged_page


def test_mark_spam_and_back(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent)
    url = reverse("web:ticket_spam", args=[ticket.pk])
    assert client.post(url, {"spam": "1"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.is_spam and ticket.status == "closed"
    assert f"#{ticket.number}" in client.get(reverse("web:inbox") + "?view=spam").content.decode()
    client.post(url, {"spam": "0"})
    ticket.refresh_from_db()
    assert not ticket.is_spam


def test_macro_preview_and_reply_with_macro(login, agent, make_ticket):
    ticket = make_ticket()
    macro = Macro.objects.create(
        name="配送遅延のお詫び",
        body="{{customer.name}} 様\n{{ticket.number}} の件、お届けが遅れております。",
        set_status="pending",
        add_tags=["配送遅延"],
    )
    client = login(agent)
    preview = client.get(reverse("web:macro_preview", args=[ticket.pk, macro.pk]))
    assert preview.status_code == 200
    data = preview.json()
    assert data["text"].startswith("山田 太郎 様")
    assert f"#{ticket.number}" in data["text"]
    assert data["changes"]["status"] == "pending"
    response = _reply(client, ticket, data["text"] + "\n追ってご連絡します。", macro=macro.pk)
    assert response.status_code == 302
    ticket.refresh_from_db()
    macro.refresh_from_db()
    assert ticket.status == "pending"
    assert "配送遅延" in ticket.tags.values_list("name", flat=True)
    assert macro.usage_count == 1
    reply = Message.objects.get(ticket=ticket, author_agent=agent)
    assert reply.body_text.endswith("追ってご連絡します。")
    missing = client.get(reverse("web:macro_preview", args=[ticket.pk, macro.pk + 100]))
    assert missing.status_code == 404


def test_dead_letter_can_be_retried_from_the_ticket(login, agent, make_agent, make_ticket):
    ticket = make_ticket()
    message = do_reply(agent, ticket.pk, "お届け日をご案内します。")
    outbox = Outbox.objects.get(message=message)
    Outbox.objects.filter(pk=outbox.pk).update(
        state=OutboxState.DEAD, attempts=6, last_error="550 5.1.1 user unknown"
    )
    Message.objects.filter(pk=message.pk).update(delivery=Delivery.FAILED)
    viewer = login(make_agent("viewer"))
    assert viewer.post(reverse("web:outbox_retry", args=[outbox.pk])).status_code == 403
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.DEAD
    client = login(agent)
    page = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert "550 5.1.1 user unknown" in page
    assert reverse("web:outbox_retry", args=[outbox.pk]) in page
    response = client.post(reverse("web:outbox_retry", args=[outbox.pk]))
    assert response.status_code == 302
    outbox.refresh_from_db()
    message.refresh_from_db()
    assert outbox.state == OutboxState.PENDING and message.delivery == Delivery.QUEUED
    again = client.post(reverse("web:outbox_retry", args=[outbox.pk]))
    assert again.status_code == 409


def test_reply_without_address_is_marked_recorded_only(login, agent, make_ticket):
    ticket = make_ticket("phone", email=None, phone="090-1111-2222", subject="電話: 返品")
    client = login(agent)
    page = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert "reply-route-public" in page and "warn-text" in page
    _reply(client, ticket, "お電話でご案内済み。")
    message = Message.objects.get(ticket=ticket, author_agent=agent)
    assert message.delivery == Delivery.NOT_SENT
    page = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert "delivery-not_sent" in page


def test_reply_with_attachment(login, agent, make_ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = make_ticket()
    client = login(agent)
    upload = SimpleUploadedFile("返品伝票.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        reverse("web:ticket_reply", args=[ticket.pk]),
        {"body": "伝票をお送りします。", "mode": "public", "attachments": [upload]},
    )
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket, author_agent=agent)
    attachment = message.attachments.get()
    assert attachment.filename == "返品伝票.pdf"
    page = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert reverse("web:attachment", args=[attachment.pk]) in page
