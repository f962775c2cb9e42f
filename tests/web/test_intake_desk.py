"""The phone desk's caller pop-up: any way of typing the number finds the customer."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from madoguchi.customers.actions import Handle, do_add_identity
from madoguchi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    ["090-1234-5678", "０９０－１２３４－５６７８", "+81 90 1234 5678", "09012345678", "0901234"],
)
def test_lookup_finds_customer_and_open_tickets(login, agent, make_ticket, typed):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email", phone="+819012345678", subject="返品の相談")
    solved = make_ticket("email", phone="+819012345678", subject="解決済みの件")
    Ticket.objects.filter(pk=solved.pk).update(status="solved")
    make_ticket("email", email="other@example.jp", phone="03-1111-2222", name="別の人")
    html = login(agent).get(reverse("web:caller_lookup"), {"number": typed}).content.decode()
    assert f'data-caller-customer="{ticket.customer_id}"' in html
    assert f'value="ticket:{ticket.number}"' in html and "返品の相談" in html
    assert "解決済みの件" not in html
    assert f'value="new:{ticket.customer_id}"' in html
    assert "別の人" not in html


def test_lookup_of_an_unknown_number_says_a_customer_will_be_created(login, agent):  # type: ignore[no-untyped-def]
    client = login(agent, "en")
    html = client.get(reverse("web:caller_lookup"), {"number": "03-9999-0000"}).content.decode()
    assert "No customer with this number yet" in html
    assert client.get(reverse("web:caller_lookup"), {"number": "09"}).content.decode().strip() == ""


def test_lookup_finds_the_owner_of_a_fax_number(login, agent, admin, make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email", email="fax-owner@example.jp", subject="注文書の件")
    do_add_identity(admin, ticket.customer, Handle("fax", "03-5555-6666"))
    html = login(agent).get(reverse("web:caller_lookup"), {"number": "０３（５５５５）６６６６"})
    assert f'data-caller-customer="{ticket.customer_id}"' in html.content.decode()


def test_lookup_respects_the_agents_scope(login, make_agent, make_ticket):  # type: ignore[no-untyped-def]
    make_ticket("email", phone="+819012345678")
    html = (
        login(make_agent("outsourced"))
        .get(reverse("web:caller_lookup"), {"number": "090-1234-5678"})
        .content.decode()
    )
    assert "data-caller-customer" not in html


def _post(client, inbox, **extra):  # type: ignore[no-untyped-def]
    data = {
        "inbox": inbox.pk,
        "number": "０９０ー１２３４ー５６７８",
        "direction": "in",
        "summary": "追加の連絡：返品は着払いで送る。",
        "token": str(uuid.uuid4()),
    }
    data.update(extra)
    return client.post(reverse("web:call_new"), data)


def test_call_target_ticket_adds_the_call_to_that_ticket(login, agent, make_ticket, inboxes):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email", phone="+819012345678")
    response = _post(login(agent), inboxes["phone"], call_target=f"ticket:{ticket.number}")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:ticket", args=[ticket.pk])
    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(body_text__contains="着払い").exists()


def test_call_target_new_opens_a_new_ticket_for_the_customer(login, agent, make_ticket, inboxes):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email", phone="+819012345678")
    response = _post(login(agent), inboxes["phone"], call_target=f"new:{ticket.customer_id}")
    assert response.status_code == 302
    new = Ticket.objects.exclude(pk=ticket.pk).get()
    assert new.customer_id == ticket.customer_id and new.channel == "phone"


def test_call_page_is_keyboard_first(login, agent, inboxes):  # type: ignore[no-untyped-def]
    html = login(agent).get(reverse("web:call_new")).content.decode()
    html = html[html.index('action="/calls/new/"') :]
    number = html.index('name="number"')
    assert "autofocus" in html[number : html.index(">", number)]
    assert number < html.index('name="summary"') < html.index('type="submit"')
    assert 'hx-get="/calls/lookup/"' in html


def test_fax_page_is_keyboard_first(login, agent, inboxes):  # type: ignore[no-untyped-def]
    html = login(agent).get(reverse("web:fax_new")).content.decode()
    html = html[html.index('action="/fax/new/"') :]
    scan = html.index('name="scan"')
    assert "autofocus" in html[scan : html.index(">", scan)]
    search = html.index('id="fax-customer-search"')
    assert "data-picker-search" in html[search : html.index(">", search)]
    assert scan < search < html.index('name="customer_id"') < html.index('name="note"')
    assert html.index('name="note"') < html.index('type="submit"')
