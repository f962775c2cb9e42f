"""`seed()`: the whole demo shop in one transaction, through the real pipeline.

Deterministic for a given `seed` (texts, people, who answers what); times are relative to
`now`. The demo is recognised by its brand slugs: a second run changes nothing.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.audit import record_audit
from madoguchi.accounts.models import Agent, Brand, Team
from madoguchi.automation.models import Notification
from madoguchi.core.errors import Conflict, ValidationFailed
from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes.models import Inbox, InboxKind, Outbox, OutboxState
from madoguchi.tickets.models import Attachment, Macro, Message, SavedView, Ticket, TicketRead

from .desk import create_saved_views, mark_tickets_read, settle_notifications
from .help_center import seed_help_center
from .history import HistoryWriter
from .learning import seed_learning
from .macros import MACROS, create_macros
from .mailroom import schedule_mailroom
from .members import create_members, draw_customers, population
from .outbox_history import quiet_delivery, settle_as_dead, settle_as_sent
from .planning import plan_spam, plan_ticket
from .search_activity import seed_search_activity
from .shop import SHOPS, STAFF, TEAMS, create_setup

DEMO_SLUGS = tuple(shop.slug for shop in SHOPS)
DEFAULT_SEED = 20260401
SPAM_SHARE = 0.02
DEAD_LETTERS_PER_1000 = 5
MIN_CUSTOMERS = 10


def spam_tickets(tickets: int) -> int:
    return max(1, round(tickets * SPAM_SHARE))


SETUP_AGE = timedelta(days=120)  # the shop "opened" its desk before the 90 days of history


@dataclass
class SeedReport:
    created: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_brands_present() -> set[str]:
    return set(Brand.objects.filter(slug__in=DEMO_SLUGS).values_list("slug", flat=True))


def current_counts() -> dict[str, int]:
    return {
        "brands": Brand.objects.count(),
        "inboxes": Inbox.objects.count(),
        "teams": Team.objects.count(),
        "agents": Agent.objects.count(),
        "customers": Customer.objects.count(),
        "identities": Identity.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "internal_notes": Message.objects.filter(is_internal=True).count(),
        "attachments": Attachment.objects.count(),
        "macros": Macro.objects.count(),
        "outbox_sent": Outbox.objects.filter(state=OutboxState.SENT).count(),
        "outbox_dead": Outbox.objects.filter(state=OutboxState.DEAD).count(),
        "notifications": Notification.objects.count(),
        "unread_notifications": Notification.objects.filter(read_at__isnull=True).count(),
        "saved_views": SavedView.objects.count(),
        "ticket_reads": TicketRead.objects.count(),
    }


def seed(
    *,
    customers: int = 300,
    tickets: int = 1000,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
) -> SeedReport:
    """Seed the demo shop unless it is already there."""
    present = demo_brands_present()
    if present == set(DEMO_SLUGS):
        return SeedReport(created=False, counts=current_counts())
    if present:
        raise Conflict(
            _("Only part of the demo shop exists (%(slugs)s); seed into an empty database.")
            % {"slugs": ", ".join(sorted(present))},
            code="demo_partial",
        )
    taken = list(
        User.objects.filter(username__in=[s.username for s in STAFF]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise Conflict(
            _("These logins already exist: %(names)s; seed the demo into an empty database.")
            % {"names": ", ".join(sorted(taken))},
            code="demo_logins_taken",
        )
    guests = population(customers, spam_tickets(tickets))[1]
    # Every guest and spam sender writes at least once, and every channel is used once.
    least = guests + spam_tickets(tickets) + len(InboxKind.values)
    if customers < MIN_CUSTOMERS or tickets < least:
        raise ValidationFailed(
            _(
                "The demo needs at least %(least)d customers, and at least %(tickets)d tickets"
                " for %(customers)d customers."
            )
            % {"customers": customers, "tickets": least, "least": MIN_CUSTOMERS},
            code="demo_too_small",
        )
    started = time.monotonic()
    rng = random.Random(seed)
    now = now or timezone.now()
    with quiet_delivery(), transaction.atomic():
        _seed(rng, now, customers, tickets)
    return SeedReport(created=True, seconds=time.monotonic() - started, counts=current_counts())


def _seed(rng: random.Random, now: datetime, customer_count: int, ticket_count: int) -> None:
    first_customer_id = Customer.objects.aggregate(m=Max("pk"))["m"] or 0
    first_notification_id = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
    brands, inboxes, teams, agents = create_setup()
    macros = create_macros(agents)
    spam_count = spam_tickets(ticket_count)
    members, guests, senders = draw_customers(rng, customer_count, spam_count)
    create_members(agents["admin"], rng, members)

    pool = members + guests
    plans = [
        plan_ticket(rng, now, pool, customer=guest, channels=("email", "form")) for guest in guests
    ]
    plans += [plan_spam(rng, now, senders[i % len(senders)]) for i in range(spam_count)]
    # Every channel at least once, however small the seed.
    plans += [plan_ticket(rng, now, pool, channels=(kind,)) for kind in InboxKind.values]
    while len(plans) < ticket_count:
        plans.append(plan_ticket(rng, now, pool))
    plans.sort(key=lambda plan: plan.at)

    writer = HistoryWriter(rng, now, inboxes, agents, teams, macros)
    for plan in plans:
        writer.write(plan)
    _settle_outbox(rng, now, writer.replies, ticket_count)
    # Help centers in the same transaction: all or nothing with the shop, vectors included.
    seed_help_center(agents["admin"], now=now)
    # The learning loop on recent tickets: replies that link an article propose phrasings
    # (before the read markers, which follow each agent's last step).
    seed_learning(agents["lead"], now=now)
    create_saved_views(agents, now)
    mark_tickets_read(agents)
    # Recent raw mail through the email pipeline, after commit (before notifications settle).
    schedule_mailroom(rng, now, agents["admin"])
    # The notification subscribers run once this transaction commits; this callback is
    # registered after all of theirs, so it dates and settles the rows they wrote.
    transaction.on_commit(lambda: settle_notifications(agents, now, first_notification_id))
    _backdate(
        rng, now, first_customer_id=first_customer_id, member_ids=[m.pk for m in members if m.pk]
    )
    # A few weeks of help-center searches and contact-form visits, through the real search.
    for brand in brands.values():
        seed_search_activity(brand, now, rng)
    record_audit(
        None,
        "demo.seed",
        "brand",
        ",".join(str(b.pk) for b in brands.values()),
        {"customers": customer_count, "tickets": ticket_count},
    )


def _settle_outbox(
    rng: random.Random, now: datetime, replies: list[tuple[datetime, int]], tickets: int
) -> None:
    """History was delivered long ago; a few of the latest replies failed (outbox_history)."""
    ids = [message_id for _at, message_id in replies]
    queued = sorted(
        Outbox.objects.filter(message_id__in=ids, state=OutboxState.PENDING).values_list(
            "message__created_at", "message_id"
        ),
        reverse=True,
    )
    dead_wanted = max(1, tickets * DEAD_LETTERS_PER_1000 // 1000)
    recent = [m for at, m in queued if at > now - timedelta(days=3)] or [m for _at, m in queued]
    for message_id in rng.sample(recent[: dead_wanted * 3], min(dead_wanted, len(recent))):
        settle_as_dead(message_id, rng, now)
    for start in range(0, len(ids), 500):
        settle_as_sent(ids[start : start + 500])


def _backdate(
    rng: random.Random, now: datetime, *, first_customer_id: int, member_ids: list[int]
) -> None:
    """Rows whose models stamp the current time (auto_now_add / auto_now) get past times.

    Customers, identities and attachments are created by the actions with `created_at` =
    now; the demo's history needs them to predate their tickets. These are bulk updates on
    timestamp columns of the demo's own rows only, after everything went through the actions.
    """
    setup_time = now - SETUP_AGE
    Brand.objects.filter(slug__in=DEMO_SLUGS).update(created_at=setup_time)
    Inbox.objects.filter(brand__slug__in=DEMO_SLUGS).update(created_at=setup_time)
    Agent.objects.filter(user__username__in=[s.username for s in STAFF]).update(
        created_at=setup_time
    )
    User.objects.filter(username__in=[s.username for s in STAFF]).update(date_joined=setup_time)
    Team.objects.filter(name__in=TEAMS.values(), created_at__gt=setup_time).update(
        created_at=setup_time
    )
    Macro.objects.filter(brand__isnull=True, name__in=[m.name for m in MACROS]).update(
        created_at=setup_time
    )
    demo_customers = Customer.objects.filter(pk__gt=first_customer_id)
    first_contact = dict(
        Ticket.objects.filter(customer__in=demo_customers)
        .values("customer_id")
        .annotate(first=Min("created_at"))
        .values_list("customer_id", "first")
    )
    # Registered members joined some time before they first wrote.
    members = set(member_ids)
    for customer_id in member_ids:
        joined = first_contact.get(customer_id, now) - timedelta(days=rng.uniform(1, 900))
        Customer.objects.filter(pk=customer_id).update(created_at=joined, updated_at=joined)
    # Guests and spam senders were created by their first message.
    for customer_id, first in first_contact.items():
        if customer_id not in members:
            Customer.objects.filter(pk=customer_id).update(created_at=first, updated_at=first)
    Identity.objects.filter(customer__in=demo_customers).update(
        created_at=Subquery(
            Customer.objects.filter(pk=OuterRef("customer_id")).values("created_at")[:1]
        )
    )
    Attachment.objects.filter(message__ticket__brand__slug__in=DEMO_SLUGS).update(
        created_at=Subquery(
            Message.objects.filter(pk=OuterRef("message_id")).values("created_at")[:1]
        )
    )
