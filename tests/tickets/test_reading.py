"""The unread marker: never read or a newer customer message → unread; one upsert per look."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.inboxes.messages import SenderHandle
from madoguchi.tickets.models import Ticket, TicketRead
from madoguchi.tickets.reading import do_mark_read, unread_ids
from tests.inboxes.factories import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_ticket(inboxes):  # type: ignore[no-untyped-def]
    def make(email: str = "taro@example.jp") -> Ticket:
        result = receive(inboxes["email"], sender=SenderHandle("email", email))
        return Ticket.objects.get(pk=result.ticket_id)

    return make


def test_unread_until_read_and_again_after_a_new_customer_message(agent, make_agent, make_ticket):
    other = make_agent("agent", "鈴木")
    ticket = make_ticket()
    quiet = make_ticket(email="quiet@example.jp")
    quiet.last_customer_message_at = None
    assert unread_ids(agent, [ticket, quiet]) == {ticket.pk}

    do_mark_read(agent, ticket)
    assert unread_ids(agent, [ticket]) == set()
    assert unread_ids(other, [ticket]) == {ticket.pk}  # per agent

    ticket.last_customer_message_at = timezone.now() + timedelta(seconds=5)
    assert unread_ids(agent, [ticket]) == {ticket.pk}


def test_mark_read_is_one_upsert(agent, make_ticket):
    ticket = make_ticket()
    do_mark_read(agent, ticket)
    first = TicketRead.objects.get(agent=agent, ticket=ticket).read_at
    with CaptureQueriesContext(connection) as ctx:
        do_mark_read(agent, ticket)
    assert len(ctx.captured_queries) == 1
    assert TicketRead.objects.filter(agent=agent, ticket=ticket).count() == 1
    assert TicketRead.objects.get(agent=agent, ticket=ticket).read_at >= first


def test_unread_ids_is_one_query_for_any_page(agent, make_ticket):
    tickets = [make_ticket(email=f"r{n}@example.jp") for n in range(6)]
    do_mark_read(agent, tickets[0])
    with CaptureQueriesContext(connection) as ctx:
        unread = unread_ids(agent, tickets)
    assert len(ctx.captured_queries) == 1
    assert unread == {t.pk for t in tickets[1:]}
