"""The demo's desk state: @mentions with their notifications, read markers, saved views.

The notification subscribers run after the seed's transaction commits, so these tests commit.
"""

from __future__ import annotations

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from madoguchi.accounts.models import Agent, AuditEntry
from madoguchi.automation.models import Notification, NotificationKind
from madoguchi.demo.desk import MENTION_NOTES, SAVED_VIEWS, UNREAD_KEEP, mention_note
from madoguchi.demo.seed import seed
from madoguchi.tickets.mentions import find_mentions
from madoguchi.tickets.models import Message, SavedView, Ticket, TicketRead
from madoguchi.tickets.reading import unread_ids


@pytest.mark.django_db(transaction=True)
def test_demo_desk_has_mentions_notifications_reads_and_views():
    report = seed(customers=30, tickets=120)
    assert report.created
    now = timezone.now()
    agents = {a.user.username: a for a in Agent.objects.select_related("user")}

    # Notes that ask a colleague by @name, resolved by do_reply into the message's mentions.
    mentioning = Message.objects.filter(is_internal=True, meta__has_key="mentions")
    assert mentioning.exists()
    for note in mentioning:
        assert note.meta["mentions"] == find_mentions(note.body_text)

    # …and the subscriber's notifications for them, dated when the note was written.
    mentions = Notification.objects.filter(kind=NotificationKind.MENTION).select_related("message")
    assert mentions.exists()
    for notification in mentions:
        assert notification.message is not None
        assert notification.created_at == notification.message.created_at
        assert notification.recipient_id in notification.message.meta["mentions"]
        assert notification.actor_id == notification.message.author_agent_id
    assert not Notification.objects.filter(created_at__gt=now - timedelta(minutes=1)).exists()
    # Read ones were read after they arrived and before now; each agent has a few unread.
    for notification in Notification.objects.filter(read_at__isnull=False):
        assert notification.created_at <= notification.read_at <= now
    unread = Notification.objects.filter(read_at__isnull=True)
    assert unread.exists()
    for agent in agents.values():
        assert unread.filter(recipient=agent).count() <= UNREAD_KEEP

    # Read markers: agents have read the tickets they worked on, as of their last step.
    sato = agents["sato"]
    reads = TicketRead.objects.filter(agent=sato)
    assert reads.exists()
    assert not reads.filter(read_at__gt=now - timedelta(minutes=1)).exists()
    for read in reads.select_related("ticket"):
        last = max(
            [m.created_at for m in read.ticket.messages.filter(author_agent=sato)]
            + [e.created_at for e in read.ticket.timeline.filter(actor_agent=sato)]
        )
        assert read.read_at == last
    worked = Ticket.objects.filter(pk__in=reads.values("ticket_id"))
    # A ticket sato answered last is read; one where the customer wrote afterwards is bold.
    assert unread_ids(sato, worked) == {
        r.ticket_id for r in reads.select_related("ticket")
        if r.ticket.last_customer_message_at and r.ticket.last_customer_message_at > r.read_at
    }  # fmt: skip

    # Saved views through do_create_saved_view: shared ones audited as the lead's.
    views = {v.name: v for v in SavedView.objects.select_related("owner__user")}
    assert set(views) == {name for _owner, name, _filters, _shared in SAVED_VIEWS}
    for owner, name, filters, shared in SAVED_VIEWS:
        view = views[name]
        assert (view.owner.user.username, view.shared) == (owner, shared)
        assert view.filters == {"view": "", **filters}
        assert view.created_at < now - timedelta(days=1)
    shared_ids = {str(v.pk) for v in views.values() if v.shared}
    audited = AuditEntry.objects.filter(action="saved_view.create", actor=agents["lead"])
    assert set(audited.values_list("target_id", flat=True)) == shared_ids

    # A second run changes nothing.
    counts = (Notification.objects.count(), SavedView.objects.count(), TicketRead.objects.count())
    out = StringIO()
    call_command("demo", customers=30, tickets=120, stdout=out)
    assert (
        Notification.objects.count(),
        SavedView.objects.count(),
        TicketRead.objects.count(),
    ) == counts


def test_mention_notes_name_a_colleague_by_display_name():
    rng = random.Random(5)
    values = {"order": "ORD-2026-12345"}
    seen = set()
    for _ in range(50):
        text = mention_note(rng, "sato", values)
        assert text.startswith("@") and "さん、" in text
        assert not text.startswith("@佐藤")  # nobody asks themselves
        seen.add(text.split("さん、", 1)[1])
    assert "返金処理をお願いします。金額は注文ORD-2026-12345のとおりです。" in seen
    assert len(seen) > len(MENTION_NOTES) // 2
