"""The desk's own state in the demo: @mentions in notes, notifications that agents have (or have
not yet) read, tickets they have looked at, and the inbox views they saved.

Everything is written by the real actions (`do_reply` for notes, the notification subscribers,
`notifications.do_mark_read`, `reading.do_mark_read`, `do_create_saved_view`). Those stamp the
current time, so, as in `seed._backdate`, the timestamps are moved afterwards to when the
history says it happened: a notification when its message or assignment was written, a read
when the agent next worked on the ticket.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from madoguchi.accounts.models import Agent
from madoguchi.automation.models import Notification
from madoguchi.automation.notifications import MAX_MARK_IDS
from madoguchi.automation.notifications import do_mark_read as mark_notifications_read
from madoguchi.tickets.actions.saved_views import do_create_saved_view
from madoguchi.tickets.models import Message, SavedView, Ticket, TicketRead, TimelineEvent
from madoguchi.tickets.reading import do_mark_read as mark_ticket_read

from .shop import STAFF

MENTION_SHARE = 0.35  # of internal notes that ask a colleague by `@name`
# Who gets asked (and how often): the day-to-day agents more than the lead.
MENTIONABLE = {"sato": 4, "suzuki": 3, "lead": 3, "ito": 2}
MENTION_NOTES = (
    "返品可否の確認をお願いします。",
    "在庫の確認をお願いできますか。倉庫の回答待ちです。",
    "以前この方のお問い合わせを担当されていましたか？経緯を教えてください。",
    "返金処理をお願いします。金額は注文{order}のとおりです。",
    "お客様へは本日中に回答予定です。内容のご確認をお願いします。",
    "配送業者への調査依頼をお願いできますか。",
    "念のため共有です。同じお客様から別件のお問い合わせも来ています。",
    "交換品の発送手配をお願いします。",
)
# Notifications nobody followed up: the latest few of recent weeks are still unread.
UNREAD_KEEP = 4
UNREAD_WINDOW = timedelta(days=14)
DISMISSED_AFTER = timedelta(hours=3)
VIEWS_AGE = timedelta(days=60)

# (owner, name, filters, shared): saved through do_create_saved_view like the inbox's "Save".
SAVED_VIEWS = (
    ("lead", "LINEの未解決", {"view": "unsolved", "channel": "line"}, True),
    ("lead", "優先度：高", {"view": "unsolved", "priority": "high"}, True),
    ("lead", "返品（未解決）", {"view": "unsolved", "tag": "返品"}, True),
    ("sato", "自分の保留中", {"view": "mine", "status": ["on_hold"]}, False),
    ("sato", "VIPのお客様", {"view": "unsolved", "tag": "VIP", "order": "waiting"}, False),
    ("emily", "English tickets", {"view": "unsolved", "tag": "English"}, False),
)


def mention_note(rng: random.Random, author: str, values: Mapping[str, str]) -> str:
    """An internal note that asks a colleague by `@display name`, as the mention parser reads it."""
    names = {s.username: s.display_name for s in STAFF}
    colleagues = [u for u in MENTIONABLE if u != author]
    who = rng.choices(colleagues, weights=[MENTIONABLE[u] for u in colleagues])[0]
    return f"@{names[who]} さん、" + rng.choice(MENTION_NOTES).format_map(values)


def create_saved_views(agents: dict[str, Agent], now: datetime) -> None:
    """The lead's shared views and a few personal ones, saved some weeks ago."""
    ids = [
        do_create_saved_view(agents[owner], name, dict(filters), shared=shared).pk
        for owner, name, filters, shared in SAVED_VIEWS
    ]
    SavedView.objects.filter(pk__in=ids).update(
        created_at=now - VIEWS_AGE, updated_at=now - VIEWS_AGE
    )


def _activity(agent_ids: list[int]) -> dict[tuple[int, int], list[datetime]]:
    """(agent, ticket) → the times the agent wrote or changed something on the ticket."""
    times: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    rows = list(
        Message.objects.filter(author_agent_id__in=agent_ids).values_list(
            "author_agent_id", "ticket_id", "created_at"
        )
    ) + list(
        TimelineEvent.objects.filter(actor_agent_id__in=agent_ids).values_list(
            "actor_agent_id", "ticket_id", "created_at"
        )
    )
    for agent_id, ticket_id, at in rows:
        times[(agent_id, ticket_id)].append(at)
    for value in times.values():
        value.sort()
    return times


def mark_tickets_read(agents: dict[str, Agent]) -> None:
    """Each agent has seen the tickets they worked on, as of their last step on each; a
    customer who wrote after that makes the ticket unread (bold) for them again."""
    by_id = {a.pk: a for a in agents.values()}
    last = {key: at[-1] for key, at in _activity(list(by_id)).items()}
    tickets = Ticket.objects.in_bulk({ticket_id for _agent, ticket_id in last})
    for (agent_id, ticket_id), _at in sorted(last.items()):
        mark_ticket_read(by_id[agent_id], tickets[ticket_id])
    reads = list(TicketRead.objects.filter(agent_id__in=list(by_id)))
    for read in reads:
        read.read_at = last.get((read.agent_id, read.ticket_id), read.read_at)
    TicketRead.objects.bulk_update(reads, ["read_at"], batch_size=500)


def settle_notifications(agents: dict[str, Agent], now: datetime, after_id: int) -> None:
    """Date the notifications the seeded history caused, and mark read those the agent has
    followed up (worked on the ticket since) and all but the latest few of the others.

    The subscribers run after the seed's transaction committed and stamp the current time.
    """
    rows = list(Notification.objects.filter(pk__gt=after_id).order_by("pk"))
    if not rows:
        return
    message_times = dict(
        Message.objects.filter(pk__in={n.message_id for n in rows if n.message_id}).values_list(
            "pk", "created_at"
        )
    )
    # "Assigned to you": when the ticket was first routed to that agent.
    assigned: dict[tuple[int, str], datetime] = {}
    for ticket_id, value, at in TimelineEvent.objects.filter(
        field="assignee", ticket_id__in={n.ticket_id for n in rows if not n.message_id}
    ).values_list("ticket_id", "new_value", "created_at"):
        key = (ticket_id, value)
        assigned[key] = min(at, assigned.get(key, at))
    activity = _activity([a.pk for a in agents.values()])
    read_at: dict[int, datetime] = {}
    waiting: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        if row.message_id:
            when = message_times.get(row.message_id)
        else:
            when = assigned.get((row.ticket_id, str(row.recipient_id)))
        row.created_at = when or row.created_at
        later = [
            t for t in activity.get((row.recipient_id, row.ticket_id), []) if t > row.created_at
        ]
        if later:
            read_at[row.pk] = later[0]
        else:
            waiting[row.recipient_id].append(row)
    # Of what nobody followed up, each agent still has the latest few (of recent weeks) unread;
    # the older ones were looked at and dismissed.
    for pending in waiting.values():
        pending.sort(key=lambda n: n.created_at, reverse=True)
        for index, row in enumerate(pending):
            if index >= UNREAD_KEEP or row.created_at < now - UNREAD_WINDOW:
                read_at[row.pk] = min(row.created_at + DISMISSED_AFTER, now)
    Notification.objects.bulk_update(rows, ["created_at"], batch_size=500)
    by_id = {a.pk: a for a in agents.values()}
    per_agent: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row.pk in read_at:
            per_agent[row.recipient_id].append(row.pk)
    for agent_id, ids in per_agent.items():
        for start in range(0, len(ids), MAX_MARK_IDS):
            mark_notifications_read(by_id[agent_id], ids[start : start + MAX_MARK_IDS])
    read = [row for row in rows if row.pk in read_at]
    for row in read:
        row.read_at = read_at[row.pk]
    Notification.objects.bulk_update(read, ["read_at"], batch_size=500)
