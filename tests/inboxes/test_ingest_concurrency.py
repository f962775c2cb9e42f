"""Concurrent deliveries: duplicates collapse to one message, one new customer stays one."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import Brand
from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.inboxes.models import Inbox
from madoguchi.lib import japanese
from madoguchi.tickets.models import Message, Ticket

from .concurrency import run_together
from .factories import inbound

THREADS = 8


@pytest.fixture
def form_inbox(concurrent_db):
    japanese.tokens("準備")  # load the dictionary once, not in eight threads at a time
    brand = Brand.objects.create(name="並行商店", slug="parallel-shop")
    return Inbox.objects.create(brand=brand, kind="form", name="フォーム", slug="parallel-form")


def test_same_delivery_from_many_workers_is_stored_once(form_inbox):
    message = inbound(
        form_inbox,
        external_id="form-duplicate-1",
        sender=SenderHandle("email", "Dup@Example.jp"),
        extra_handles=[SenderHandle("phone", "090-1111-2222")],
        body_text="同じ通知が何度も届きます。",
    )
    results = run_together(THREADS, lambda _i: ingest(message))
    assert Message.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Customer.objects.count() == 1
    assert sorted(Identity.objects.values_list("kind", "handle")) == [
        ("email", "dup@example.jp"),
        ("phone", "+819011112222"),
    ]
    stored = Message.objects.get()
    assert {r.message_id for r in results} == {stored.pk}
    assert {r.ticket_id for r in results} == {stored.ticket_id}
    assert sum(not r.duplicate for r in results) == 1
    assert sum(r.created_ticket for r in results) == 1
    assert Ticket.objects.get().message_count == 1


def test_different_messages_from_one_new_customer_make_one_customer(form_inbox):
    def work(i: int):
        handles = [SenderHandle("email", "new@example.jp"), SenderHandle("phone", "09033334444")]
        if i % 2:
            handles.reverse()  # the other order too: must not deadlock
        return ingest(
            inbound(
                form_inbox,
                external_id=f"form-new-{i}",
                sender=handles[0],
                extra_handles=handles[1:],
                body_text=f"{i}通目の問い合わせです。",
            )
        )

    results = run_together(THREADS, work)
    assert Customer.objects.count() == 1
    customer = Customer.objects.get()
    assert sorted(Identity.objects.values_list("kind", "handle")) == [
        ("email", "new@example.jp"),
        ("phone", "+819033334444"),
    ]
    assert Identity.objects.filter(customer=customer).count() == 2
    assert Message.objects.count() == THREADS
    assert Ticket.objects.filter(customer=customer).count() == THREADS
    assert {r.customer_id for r in results} == {customer.pk}
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == THREADS


def test_concurrent_messages_on_one_ticket_keep_the_count(form_inbox):
    first = ingest(inbound(form_inbox, external_id="thread-0"))

    def work(i: int):
        return ingest(inbound(form_inbox, external_id=f"thread-{i + 1}", ticket_id=first.ticket_id))

    results = run_together(THREADS, work)
    assert {r.ticket_id for r in results} == {first.ticket_id}
    ticket = Ticket.objects.get(pk=first.ticket_id)
    assert ticket.message_count == THREADS + 1 == ticket.messages.count()


def test_duplicates_and_new_messages_mixed(form_inbox):
    def work(i: int):
        return ingest(
            inbound(
                form_inbox,
                external_id=f"mixed-{i % 3}",
                sender=SenderHandle("email", f"mixed{i % 2}@example.jp"),
            )
        )

    run_together(THREADS, work)
    assert Message.objects.count() == 3
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "mixed-0",
        "mixed-1",
        "mixed-2",
    ]
    assert Identity.objects.count() <= 2
    assert Customer.objects.count() == Identity.objects.count()


def test_workers_racing_on_one_outbox_row_send_one_mail(form_inbox, smtp_server):
    from django.contrib.auth.models import User

    from madoguchi.accounts.models import Agent
    from madoguchi.inboxes.delivery import deliver
    from madoguchi.inboxes.models import Outbox, OutboxState
    from madoguchi.tickets.actions import do_reply

    result = ingest(inbound(form_inbox, sender=SenderHandle("email", "race@example.jp")))
    user = User.objects.create_user("racer", "racer@shop.test")
    agent = Agent.objects.create(user=user, display_name="競争 太郎", role="agent")
    message = do_reply(agent, result.ticket_id, "一度だけ届くはずです。")
    outbox = Outbox.objects.get(message=message)
    outcomes = run_together(THREADS, lambda _i: deliver(outbox.pk))
    assert sorted(outcomes) == ["sent"] + ["skipped"] * (THREADS - 1)
    assert len(smtp_server.envelopes) == 1
    assert Outbox.objects.get(pk=outbox.pk).state == OutboxState.SENT
