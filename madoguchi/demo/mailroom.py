"""The demo's email channel, run for real: configured inboxes and a few days of raw mail.

After the seeded history is committed, the shop's email inboxes get their settings through
the admin action (sender name, signature, receipt mail, charset), and mail of the last days
comes in through `connectors.email.inbound.receive` exactly as the SMTP listener hands it
over: Japanese mail from iPhone, carrier phones, Gmail, Outlook and Yahoo, a reply that
threads onto a ticket, a vacation responder, a bounce of one of our replies, a newsletter and
a broken mail. The pipeline stamps the current time; the demo's own rows are then moved to
the moment each mail "arrived" (bulk updates of timestamp columns only), and the receipts
the pipeline queued are settled as sent like the rest of the demo's outbox.

It runs as an on-commit callback of the seed: receipts are switched on after the history's
tickets were created, so only the new mail gets a receipt, and each mail is processed in its
own transactions, as in production.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from madoguchi.accounts.models import Agent
from madoguchi.connectors.email.inbound import receive
from madoguchi.customers.models import Customer, Identity
from madoguchi.inboxes.admin_actions import do_update_inbox
from madoguchi.inboxes.models import AutomaticMail, Inbox, InboxKind, Outbox, RawMail
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

from . import mail_answers as replies_back
from . import mail_texts as texts
from .outbox_history import settle_as_sent
from .shop import SHOPS

MAIL_SLUGS = tuple(f"{shop.short}-email" for shop in SHOPS)


@dataclass
class Incoming:
    """One raw mail and when it arrived."""

    at: datetime
    inbox: Inbox
    raw: bytes
    label: str


def schedule_mailroom(rng: random.Random, now: datetime, admin: Agent) -> None:
    """Run `seed_mailroom` once the seed's transaction has committed.

    Its own generator is derived from the seed's state without drawing from it, so the rest
    of the seed stays exactly as it was.
    """
    local = random.Random(str(rng.getstate()[1][:16]))
    transaction.on_commit(lambda: seed_mailroom(local, now, admin=admin))


def seed_mailroom(rng: random.Random, now: datetime, *, admin: Agent | None = None) -> int:
    """Configure the demo's email inboxes and feed them recent mail; returns mails fed.

    Does nothing when the inboxes already received mail (a re-run).
    """
    inboxes = list(
        Inbox.objects.filter(kind=InboxKind.EMAIL, slug__in=MAIL_SLUGS).select_related("brand")
    )
    if not inboxes or RawMail.objects.filter(inbox__in=inboxes).exists():
        return 0
    admin = admin or Agent.objects.get(user__username="admin")
    for index, inbox in enumerate(sorted(inboxes, key=lambda i: i.slug)):
        configure_inbox(admin, inbox, charset="iso-2022-jp" if index == 0 else "utf-8")
    first_message = Message.objects.aggregate(m=Max("pk"))["m"] or 0
    first_customer = Customer.objects.aggregate(m=Max("pk"))["m"] or 0
    started = timezone.now()
    mails = sorted([*new_mail(rng, now, inboxes), *answers(rng, now, inboxes)], key=lambda m: m.at)
    for mail in mails:
        before = timezone.now()
        raw = receive(mail.inbox.pk, mail.raw, source="smtp", source_ref=mail.inbox.address)
        _date(raw, before, mail.at, rng)
    _date_people(first_customer)
    # Receipts exist now (autocommit) or once the callbacks before this one ran (tests).
    transaction.on_commit(lambda: settle_receipts(first_message, started, rng))
    return len(mails)


def configure_inbox(admin: Agent, inbox: Inbox, *, charset: str) -> Inbox:
    """The settings an admin would enter on the inbox page, checked by the same action."""
    shop = next(s for s in SHOPS if f"{s.short}-email" == inbox.slug)
    values = {key: str(value) for key, value in (inbox.settings or {}).items()}
    values.update(
        {
            "from_name": f"{inbox.brand.name} サポート",
            "signature": texts.signature(shop),
            "outbound_charset": charset,
            "auto_reply": "on",
            "auto_reply_subject": texts.RECEIPT_SUBJECT,
            "auto_reply_body": texts.RECEIPT_BODY,
        }
    )
    return do_update_inbox(
        admin,
        inbox.pk,
        name=inbox.name,
        brand_id=inbox.brand_id,
        default_team_id=inbox.default_team_id,
        is_active=inbox.is_active,
        address=inbox.address,
        values=values,
        granted_agent_ids=list(inbox.granted_agents.values_list("pk", flat=True)),
    )


def new_mail(rng: random.Random, now: datetime, inboxes: list[Inbox]) -> list[Incoming]:
    """Customers writing in over the last three days (and a newsletter, a broken mail)."""
    by_short = {inbox.slug.split("-")[0]: inbox for inbox in inboxes}
    out = []
    for sample in texts.NEW_MAIL:
        inbox = by_short.get(sample.shop)
        if inbox is None:
            continue
        at = _recent(rng, now)
        out.append(Incoming(at, inbox, sample.build(rng, inbox.address, at), sample.label))
    return out


def _recent(rng: random.Random, now: datetime) -> datetime:
    return now - timedelta(hours=rng.uniform(3, 70), seconds=rng.uniform(0, 3600))


# -- answers to our own mail -----------------------------------------------------------------


@dataclass
class SentReply:
    message: Message
    ticket: Ticket
    provider_id: str
    to: str


def sent_replies(inboxes: list[Inbox], limit: int = 200) -> list[SentReply]:
    """Our delivered replies that are the last word on their ticket, newest first."""
    replies = list(
        Message.objects.filter(
            inbox__in=inboxes,
            direction=Direction.OUTBOUND,
            is_internal=False,
            author_kind=AuthorKind.AGENT,
            delivery=Delivery.SENT,
            ticket__inbox__in=inboxes,
            ticket__merged_into__isnull=True,
        )
        .select_related("ticket", "ticket__customer")
        .order_by("-created_at", "-pk")[:limit]
    )
    last = dict(
        Message.objects.filter(ticket_id__in={r.ticket_id for r in replies}, is_internal=False)
        .values("ticket_id")
        .annotate(last=Max("pk"))
        .values_list("ticket_id", "last")
    )
    provider = dict(
        Outbox.objects.filter(message__in=replies).values_list("message_id", "provider_message_id")
    )
    found, seen = [], set()
    for reply in replies:
        to = (reply.meta.get("route") or {}).get("to", "")
        if last.get(reply.ticket_id) != reply.pk or not to or reply.ticket_id in seen:
            continue
        seen.add(reply.ticket_id)
        found.append(SentReply(reply, reply.ticket, provider.get(reply.pk, ""), to))
    return found


def _pick(candidates: list[SentReply], statuses: tuple[str, ...]) -> SentReply | None:
    for status in statuses:
        for candidate in candidates:
            if candidate.ticket.status == status:
                candidates.remove(candidate)
                return candidate
    return None


def answers(rng: random.Random, now: datetime, inboxes: list[Inbox]) -> list[Incoming]:
    """An Outlook reply, a vacation responder and a bounce, each to one of our replies."""
    candidates = sent_replies(inboxes)
    out = []
    outlook = _pick(candidates, (Status.PENDING, Status.SOLVED, Status.OPEN, Status.ON_HOLD))
    if outlook is not None:
        at = _after(rng, outlook.message.created_at, now, hours=(2, 26))
        raw = replies_back.outlook_reply(rng, outlook, _references(outlook), at)
        out.append(Incoming(at, outlook.message.inbox, raw, "outlook"))
    vacation = _pick(candidates, (Status.SOLVED, Status.PENDING))
    if vacation is not None:
        at = _after(rng, vacation.message.created_at, now, hours=(0.01, 0.05))
        raw = replies_back.vacation_reply(rng, vacation, at)
        out.append(Incoming(at, vacation.message.inbox, raw, "vacation"))
    # A bounce comes minutes after the reply: prefer a reply of the last days, on a live ticket.
    recent = now - timedelta(days=3)
    bounced = min(
        (c for c in candidates if c.provider_id),
        key=lambda c: (c.message.created_at < recent, c.ticket.status == Status.CLOSED),
        default=None,
    )
    if bounced is not None:
        at = _after(rng, bounced.message.created_at, now, hours=(0.005, 0.06))
        raw = replies_back.bounce(rng, bounced, at)
        out.append(Incoming(at, bounced.message.inbox, raw, "bounce"))
    return out


def _after(
    rng: random.Random, sent: datetime, now: datetime, *, hours: tuple[float, float]
) -> datetime:
    """Some hours after our mail, but in the past."""
    at = sent + timedelta(hours=rng.uniform(*hours))
    latest = now - timedelta(minutes=rng.uniform(5, 50))
    return at if at < latest else sent + (now - sent) / 2


def _references(reply: SentReply) -> list[str]:
    """The thread as the customer's client knows it: their mails, then ours."""
    theirs = list(
        Message.objects.filter(
            ticket=reply.ticket, direction=Direction.INBOUND, external_id__startswith="<"
        )
        .order_by("pk")
        .values_list("external_id", flat=True)
    )
    return [*theirs, *([reply.provider_id] if reply.provider_id else [])]


# -- dating ----------------------------------------------------------------------------------


def _date(raw: RawMail, before: datetime, at: datetime, rng: random.Random) -> None:
    """Move what processing this mail wrote (stamped from `before` on) to when it arrived."""
    processed = at + timedelta(seconds=rng.uniform(1, 20))
    RawMail.objects.filter(pk=raw.pk).update(received_at=at, processed_at=processed)
    if raw.ticket_id is None:
        return
    Message.objects.filter(ticket_id=raw.ticket_id, created_at__gte=before).update(created_at=at)
    TimelineEvent.objects.filter(ticket_id=raw.ticket_id, created_at__gte=before).update(
        created_at=at
    )
    for name in ("created_at", "updated_at", "last_customer_message_at", "solved_at"):
        Ticket.objects.filter(pk=raw.ticket_id, **{f"{name}__gte": before}).update(**{name: at})


def _date_people(first_customer: int) -> None:
    """New senders were created by their first mail; their attachments with their message."""
    for customer in Customer.objects.filter(pk__gt=first_customer):
        first = customer.tickets.order_by("created_at").values_list("created_at", flat=True)
        when = first.first()
        if when is None:
            continue
        Customer.objects.filter(pk=customer.pk).update(created_at=when, updated_at=when)
        Identity.objects.filter(customer=customer).update(created_at=when)
    for attachment in Attachment.objects.filter(
        message__inbox__slug__in=MAIL_SLUGS, message__direction=Direction.INBOUND
    ).select_related("message"):
        if attachment.created_at > attachment.message.created_at:
            Attachment.objects.filter(pk=attachment.pk).update(
                created_at=attachment.message.created_at
            )


def settle_receipts(after_message: int, started: datetime, rng: random.Random) -> int:
    """The receipts went out a few seconds after each mail came in, like the demo's history."""
    receipts = list(
        Message.objects.filter(
            pk__gt=after_message,
            inbox__slug__in=MAIL_SLUGS,
            direction=Direction.OUTBOUND,
            author_kind=AuthorKind.SYSTEM,
        ).order_by("pk")
    )
    for receipt in receipts:
        first = (
            Message.objects.filter(ticket_id=receipt.ticket_id, direction=Direction.INBOUND)
            .order_by("created_at", "pk")
            .values_list("created_at", flat=True)
            .first()
        )
        if first is None:
            continue
        at = first + timedelta(seconds=rng.uniform(5, 40))
        Message.objects.filter(pk=receipt.pk).update(created_at=at)
        to = ((receipt.meta or {}).get("route") or {}).get("to", "")
        AutomaticMail.objects.filter(
            inbox_id=receipt.inbox_id, address=to, sent_at__gte=started
        ).update(sent_at=at)
    return settle_as_sent([r.pk for r in receipts])
