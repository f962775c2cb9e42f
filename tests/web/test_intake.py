"""Logging phone calls and uploading FAXes: both go through ingest() with the agent's rights."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from madoguchi.customers.models import Customer
from madoguchi.tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _call(client, inbox, **fields):  # type: ignore[no-untyped-def]
    data = {
        "inbox": inbox.pk,
        "number": "090-1234-5678",
        "direction": "in",
        "caller_name": "",
        "summary": "引越しに伴う住所変更の依頼。新住所は後日FAXで届く。",
        "follow_up": "on",
        "token": str(uuid.uuid4()),
    }
    data.update(fields)
    return client.post(reverse("web:call_new"), data)


def test_call_finds_the_customer_by_a_differently_written_number(
    login, agent, make_ticket, inboxes
):
    existing = make_ticket("email", phone="+81 90 1234 5678")
    client = login(agent)
    response = _call(client, inboxes["phone"], number="090-1234-5678")
    assert response.status_code == 302
    ticket = Ticket.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == reverse("web:ticket", args=[ticket.pk])
    assert ticket.customer_id == existing.customer_id
    assert ticket.channel == "phone"
    assert {"phone", "follow-up"} <= set(ticket.tags.values_list("name", flat=True))
    message = ticket.messages.get()
    assert message.meta["call"]["follow_up"] is True
    assert message.author_agent_id == agent.pk
    assert Customer.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "引越しに伴う住所変更の依頼" in page and "tag-call" in page


def test_call_from_a_new_number_creates_the_customer(login, agent, inboxes):
    client = login(agent)
    response = _call(client, inboxes["phone"], number="03-9876-5432", caller_name="中村 優")
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.name == "中村 優"
    assert customer.identities.get().handle == "+81398765432"


def test_same_call_form_posted_twice_logs_one_call(login, agent, inboxes):
    client = login(agent)
    token = str(uuid.uuid4())
    first = _call(client, inboxes["phone"], token=token)
    second = _call(client, inboxes["phone"], token=token)
    assert first["Location"] == second["Location"]
    assert Message.objects.count() == 1


def test_call_added_to_an_existing_ticket(login, agent, make_ticket, inboxes):
    ticket = make_ticket("email", phone="090-1234-5678")
    client = login(agent)
    response = _call(client, inboxes["phone"], ticket_number=f"#{ticket.number}", direction="out")
    assert response["Location"] == reverse("web:ticket", args=[ticket.pk])
    assert ticket.messages.count() == 2
    call = ticket.messages.order_by("-pk").first()
    assert call.direction == "out" and call.author_agent_id == agent.pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"number": "12"}, "number"),
        ({"number": ""}, "number"),
        ({"summary": ""}, "summary"),
        ({"direction": "sideways"}, "direction"),
        ({"ticket_number": "#99999999"}, "ticket_number"),
        ({"customer_id": "999999"}, "customer_id"),
        ({"token": "not-a-uuid"}, "token"),
    ],
)
def test_bad_call_input_is_refused_and_nothing_stored(login, agent, inboxes, fields, field):
    client = login(agent)
    response = _call(client, inboxes["phone"], **fields)
    assert response.status_code == 422, field
    assert not Message.objects.exists() and not Customer.objects.exists()


def test_viewer_cannot_log_calls_or_faxes(login, make_agent, inboxes):
    client = login(make_agent("viewer"))
    assert client.get(reverse("web:call_new")).status_code == 403
    assert _call(client, inboxes["phone"]).status_code == 403
    assert client.get(reverse("web:fax_new")).status_code == 403
    assert not Message.objects.exists()


def test_outsourced_agent_only_sees_granted_phone_inboxes(login, make_agent, inboxes):
    outsider = make_agent("outsourced")
    client = login(outsider)
    page = client.get(reverse("web:call_new")).content.decode()
    assert inboxes["phone"].name not in page.split('name="inbox"')[1].split("</select>")[0]
    assert _call(client, inboxes["phone"]).status_code == 422
    inboxes["phone"].granted_agents.add(outsider)
    assert _call(client, inboxes["phone"]).status_code == 302


def _fax(client, inbox, upload, **fields):  # type: ignore[no-untyped-def]
    data = {
        "inbox": inbox.pk,
        "scan": upload,
        "sender_name": "株式会社みどり商事",
        "fax_number": "06-2345-6789",
        "irregular_order": "on",
        "note": "贈答用セット 20箱の注文",
    }
    data.update(fields)
    return client.post(reverse("web:fax_new"), data)


def test_fax_upload_opens_an_irregular_order_ticket(login, agent, inboxes):
    client = login(agent)
    upload = SimpleUploadedFile("注文書.png", PNG, content_type="image/png")
    response = _fax(client, inboxes["fax"], upload)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == "fax"
    assert {"fax", "irregular-order"} <= set(ticket.tags.values_list("name", flat=True))
    attachment = Attachment.objects.get()
    assert attachment.filename == "注文書.png" and attachment.message.ticket_id == ticket.pk
    assert ticket.customer.identities.get().handle == "+81623456789"
    page = client.get(response["Location"]).content.decode()
    assert "tag-fax" in page and reverse("web:attachment", args=[attachment.pk]) in page


def test_fax_links_an_existing_customer(login, agent, make_ticket, inboxes):
    existing = make_ticket("email")
    client = login(agent)
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.7\n%test", content_type="application/pdf")
    response = _fax(
        client, inboxes["fax"], upload, fax_number="", customer_id=existing.customer_id,
        irregular_order="",
    )  # fmt: skip
    assert response.status_code == 302
    ticket = Ticket.objects.exclude(pk=existing.pk).get()
    assert ticket.customer_id == existing.customer_id
    assert "irregular-order" not in ticket.tags.values_list("name", flat=True)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("order.txt", b"plain text order", "text/plain"),
        ("order.pdf", b"this is not a pdf", "application/pdf"),
        ("order.html", b"<html><script>x</script></html>", "text/html"),
        ("empty.png", b"", "image/png"),
    ],
)
def test_wrong_fax_files_are_rejected(login, agent, inboxes, name, data, content_type):
    client = login(agent)
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    response = _fax(client, inboxes["fax"], upload)
    assert response.status_code == 422
    assert "field-error" in response.content.decode()
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_fax_needs_a_number_or_a_customer(login, agent, inboxes):
    client = login(agent)
    upload = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    response = _fax(client, inboxes["fax"], upload, fax_number="")
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_the_same_scan_twice_is_one_message(login, agent, inboxes):
    client = login(agent)
    first = _fax(client, inboxes["fax"], SimpleUploadedFile("a.png", PNG, content_type="image/png"))
    second = _fax(
        client, inboxes["fax"], SimpleUploadedFile("b.png", PNG, content_type="image/png")
    )
    assert first["Location"] == second["Location"]
    assert Message.objects.count() == 1


def test_outsourced_agent_works_inboxes_of_their_team(login, make_agent, inboxes):
    from madoguchi.accounts.models import Team

    team = Team.objects.create(name="外部コールセンター")
    inboxes["phone"].default_team = team
    inboxes["phone"].save()
    outsider = make_agent("outsourced")
    outsider.teams.add(team)
    client = login(outsider)
    response = _call(client, inboxes["phone"])
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
