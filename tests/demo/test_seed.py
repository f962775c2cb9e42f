"""The demo shop: a reduced seed through the real pipeline, twice, without duplicates."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from madoguchi.accounts.models import Agent, Brand, Role
from madoguchi.core.errors import ValidationFailed
from madoguchi.customers.models import Customer, Identity
from madoguchi.demo.members import draw_customers
from madoguchi.demo.people import PLACES, People, romaji
from madoguchi.demo.planning import plan_ticket
from madoguchi.demo.seed import DEMO_SLUGS, seed
from madoguchi.inboxes.models import Inbox, InboxKind, Outbox, OutboxState
from madoguchi.tickets.models import Attachment, Message, Status, Ticket

KATAKANA = re.compile(r"^[ァ-ヶー ]+$")


@pytest.mark.django_db
def test_seed_creates_a_consistent_shop_once():
    out = StringIO()
    call_command("demo", customers=30, tickets=60, stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    assert "madoguchi-admin" in text and "bpo-nakamura" in text
    assert "/contact/hinata-form/" in text and "/api/v1/docs" in text

    assert set(Brand.objects.values_list("slug", flat=True)) == set(DEMO_SLUGS)
    assert Customer.objects.count() == 30
    assert Ticket.objects.count() == 60
    assert Agent.objects.count() == 8
    assert Agent.objects.filter(role=Role.OUTSOURCED).count() == 2
    assert Agent.objects.filter(language="en").count() == 1
    outsourced = Agent.objects.filter(role=Role.OUTSOURCED)
    assert all(a.granted_inboxes.exists() and a.teams.exists() for a in outsourced)
    assert set(Inbox.objects.values_list("kind", flat=True)) == set(InboxKind.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(InboxKind.values)
    assert Inbox.objects.get(slug="hinata-form").address == "support@hinata.example.jp"

    # Every ticket has a message and a customer the desk can reach.
    assert not Ticket.objects.filter(message_count=0).exists()
    assert not Ticket.objects.filter(messages__isnull=True).exists()
    customers = Customer.objects.filter(tickets__isnull=False).distinct()
    assert not customers.filter(identities__isnull=True).exists()
    for ticket in Ticket.objects.all():
        assert ticket.messages.count() == ticket.message_count

    # Japanese conversations, names with katakana furigana, agent 敬語.
    assert Message.objects.filter(body_text__contains="ございます").exists()
    assert Message.objects.filter(is_internal=True).exists()
    for kana in Customer.objects.exclude(name_kana="").values_list("name_kana", flat=True):
        assert KATAKANA.match(kana), kana
    assert Identity.objects.filter(kind="phone", handle__startswith="+81").exists()

    # Believable history: all in the past 90 days, older tickets mostly solved or closed.
    now = timezone.now()
    assert not Ticket.objects.filter(created_at__gt=now).exists()
    assert not Ticket.objects.filter(updated_at__gt=now).exists()
    assert not Message.objects.filter(created_at__gt=now).exists()
    assert not Ticket.objects.filter(created_at__lt=now - timedelta(days=91)).exists()
    old = Ticket.objects.filter(created_at__lt=now - timedelta(days=14), is_spam=False)
    if old.count() >= 10:
        settled = old.filter(status__in=[Status.SOLVED, Status.CLOSED]).count()
        assert settled / old.count() > 0.7
    assert Ticket.objects.filter(is_spam=True, status=Status.CLOSED).exists()
    assert not Customer.objects.filter(created_at__gt=now - timedelta(minutes=5)).exists()

    # History's mail was sent long ago; a few recent ones are dead letters; nothing pending.
    assert not Outbox.objects.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING]).exists()
    assert Outbox.objects.filter(state=OutboxState.SENT).exists()
    dead = Outbox.objects.filter(state=OutboxState.DEAD)
    assert dead.exists() and all(row.last_error for row in dead)
    assert Attachment.objects.filter(content_type="application/pdf").exists()

    counts = (Customer.objects.count(), Ticket.objects.count(), Message.objects.count())
    out = StringIO()
    with translation.override("en"):
        call_command("demo", customers=30, tickets=60, stdout=out)
    assert "already seeded" in out.getvalue()
    assert (Customer.objects.count(), Ticket.objects.count(), Message.objects.count()) == counts


@pytest.mark.django_db
def test_seed_refuses_a_half_existing_demo():
    Brand.objects.create(name="ひなた", slug=DEMO_SLUGS[0])
    with pytest.raises(CommandError):
        call_command("demo", customers=30, tickets=60, stdout=StringIO())
    assert Ticket.objects.count() == 0
    assert Brand.objects.count() == 1


@pytest.mark.django_db
def test_seed_rejects_tiny_counts():
    with pytest.raises(CommandError):
        call_command("demo", customers=3, tickets=60, stdout=StringIO())
    with pytest.raises(ValidationFailed):
        seed(customers=30, tickets=12)
    with pytest.raises(ValidationFailed):
        seed(customers=5, tickets=60)
    assert Brand.objects.count() == 0


def test_plans_are_deterministic():
    now = timezone.now()

    def plans(seed_value: int) -> list[tuple]:
        rng = random.Random(seed_value)
        members, guests, _senders = draw_customers(rng, 40, 2)
        return [
            (p.at, p.channel, p.customer.person.name, p.topic.key, p.outcome, p.values.get("order"))
            for p in (plan_ticket(rng, now, members + guests) for _ in range(30))
        ]

    assert plans(7) == plans(7)
    assert plans(7) != plans(8)


def test_people_have_matching_furigana_and_typed_phones():
    people = People(random.Random(3))
    seen = set()
    for _ in range(200):
        person = people.person(elderly=len(seen) % 7 == 0)
        assert KATAKANA.match(person.kana)
        assert person.email not in seen
        seen.add(person.email)
        assert re.match(r"^\d{3}-\d{4}$", person.postal_code)
        assert any(person.address.startswith(place[0] + place[1]) for place in PLACES)
    assert romaji("サトウ") == "sato" and romaji("イノウエ") == "inoue"
    assert romaji("シュンスケ") == "shunsuke" and romaji("キョウコ") == "kyoko"
