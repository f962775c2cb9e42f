"""The learning loop on the demo shops: agents answer a few recent tickets with a help-center
article, so the review queue 「問い合わせから学ぶ」 has real questions waiting.

Nothing here writes a proposal itself. For tickets whose customer message the reply box's
own suggestion (knowledge.reply_box.suggest) answers with a public article, the ticket's
agent sends a short follow-up that links the article — the text "Insert link" puts into a
reply — through `tickets.actions.do_reply`, and the reply goes through
`knowledge.learning.record_reply_articles` exactly as the reply form does after a send. That
records the ArticleUse and proposes the customer's (cleaned) question as a phrasing. The
lead then decides a few through the review queue's actions: short questions make good
phrasings and are approved, the longest (rambling mails) is rejected; the rest wait.

The replies belong to the demo's past, so their outbox rows are settled as sent, like the
rest of the seeded history. Idempotent: a brand that has proposals already is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from madoguchi.accounts.models import Agent, Brand
from madoguchi.core.errors import DomainError
from madoguchi.knowledge.actions import proposals
from madoguchi.knowledge.engine.embedder import get_embedder
from madoguchi.knowledge.engine.store import get_index
from madoguchi.knowledge.learning import question_message, record_reply_articles
from madoguchi.knowledge.models import Article, PhrasingProposal, ProposalStatus
from madoguchi.knowledge.questions import clean_question
from madoguchi.knowledge.reply_box import insertion, suggest, ticket_language
from madoguchi.knowledge.search import search_articles
from madoguchi.knowledge.vectors import refresh_brand_vectors
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.models import Message, Status, Ticket

from .outbox_history import settle_as_sent
from .shop import SHOPS

log = logging.getLogger(__name__)

PER_BRAND = 7  # questions proposed per shop
APPROVE = 2  # of which the lead approves this many (the shortest) …
REJECT = 1  # … and rejects this many (the longest)
CANDIDATES = 80  # recent tickets looked at per shop
MIN_QUESTION = 8  # characters of a cleaned question worth proposing
MAX_APPROVED = 60  # the lead approves questions up to this long as they are
REPLY_CHANNELS = ("email", "form", "chat", "line", "meta", "x", "sms")

FOLLOW_UP = {
    "ja": (
        "{name}様\n\n{shop}カスタマーサポートです。\n"
        "お問い合わせの件について、手順をヘルプページにまとめております。"
        "お手数ですが、以下のページをご確認ください。\n\n{article}\n\n"
        "ご不明な点がございましたら、お気軽にお問い合わせください。"
    ),
    "en": (
        "Dear {name},\n\nThis is {shop} customer support. "
        "The steps for your question are described on this page of our help center:\n\n"
        "{article}\n\nIf anything is unclear, just reply to this message."
    ),
}


@dataclass
class BrandLearning:
    replies: int = 0
    proposals: int = 0
    approved: int = 0
    rejected: int = 0


def _candidates(brand: Brand) -> Sequence[Ticket]:
    """Recent unsolved conversations first, then recently solved ones (a follow-up with the
    help page is common there too); spam and merged tickets never."""
    base = (
        Ticket.objects.filter(
            brand=brand,
            is_spam=False,
            merged_into__isnull=True,
            channel__in=REPLY_CHANNELS,
        )
        .select_related("brand", "customer", "assignee", "assignee__user")
        .annotate(last_at=Max("messages__created_at"))
    )
    unsolved = list(
        base.exclude(status__in=(Status.SOLVED, Status.CLOSED)).order_by("-last_at")[:CANDIDATES]
    )
    solved = list(base.filter(status=Status.SOLVED).order_by("-last_at")[:CANDIDATES])
    return unsolved + solved


def _reply_at(ticket: Ticket, now: datetime) -> datetime | None:
    last = Message.objects.filter(ticket=ticket).aggregate(at=Max("created_at"))["at"]
    if last is None or last > now - timedelta(minutes=10):
        return None
    return min(last + timedelta(minutes=25), now - timedelta(minutes=5))


def _top(brand_id: int, text: str, limit: int = 1) -> list[int]:
    hits = search_articles(brand_id=brand_id, query=text, limit=limit).hits
    return [h.article_id for h in hits]


def _asks_for(ticket: Ticket, article_id: int) -> bool:
    """Whether the customer's latest message itself (what the loop will propose) asks what
    the suggested article answers — not a "thank you" or "sent it back" under that subject."""
    source = question_message(ticket, None)
    if source is None:
        return False
    names = [getattr(ticket.customer, "name", "")]
    question = clean_question(source.body_text, names=names)
    return len(question) >= MIN_QUESTION and article_id in _top(ticket.brand_id, question, 3)


def _answer(ticket: Ticket, article: Article, agent: Agent, at: datetime) -> Message | None:
    """The follow-up reply with the article's link, through the reply action, and the
    learning loop on it — what the reply form does after "Send"."""
    language = "en" if ticket_language(ticket) == "en" else "ja"
    link = insertion(article, ticket, "link")
    name = (getattr(ticket.customer, "name", "") or "").strip() or (
        "Customer" if language == "en" else "お客"
    )
    body = FOLLOW_UP[language].format(name=name, shop=ticket.brand.name, article=link.text)
    try:
        with transaction.atomic():
            message = do_reply(agent, ticket.pk, body, at=at)
    except DomainError as exc:  # a channel that cannot send, a ticket the agent cannot write
        log.info("demo learning: no reply on ticket %s (%s)", ticket.pk, exc.code)
        return None
    record_reply_articles(
        agent=agent, ticket=ticket, message=message, article_ids=[article.pk], body=body
    )
    return message


def _closeness(brand_id: int, proposal: PhrasingProposal) -> float:
    """How close the question is in meaning to its article's title, phrasings or text (e5
    similarity of the closest row); without the model, shorter questions count as closer."""
    embedder = get_embedder()
    qvec = embedder.query(proposal.text) if embedder.available() else None
    if qvec is None:
        return -len(proposal.text) / 1000
    index = get_index(brand_id)
    sims = index.semantic(qvec)
    rows = [
        float(sims[i])
        for i, doc in enumerate(index.docs)
        if doc.article_id == proposal.article_id and sims[i] == sims[i]  # not NaN
    ]
    return max(rows, default=-1.0)


def _decide(brand: Brand, lead: Agent, report: BrandLearning) -> None:
    """What a lead does with part of the queue: approve the questions closest in meaning to
    their article (short enough to be a phrasing as they are), reject the most distant one,
    leave the rest waiting — only when enough are waiting to keep some."""
    pending = list(
        PhrasingProposal.objects.filter(article__brand=brand, status=ProposalStatus.PENDING)
    )
    if len(pending) <= APPROVE + REJECT:
        return
    ranked = sorted(pending, key=lambda p: (-_closeness(brand.pk, p), p.pk))
    for proposal in ranked[-REJECT:]:
        proposals.reject(lead, proposal.pk)
        report.rejected += 1
    short = [p for p in ranked[:-REJECT] if len(p.text) <= MAX_APPROVED]
    for proposal in short[:APPROVE]:
        try:
            proposals.approve(lead, proposal.pk)
        except DomainError as exc:  # e.g. the article is full of phrasings already
            log.info("demo learning: proposal %s not approved (%s)", proposal.pk, exc.code)
            continue
        report.approved += 1


def seed_brand_learning(
    brand: Brand, *, lead: Agent, now: datetime, per_brand: int = PER_BRAND
) -> BrandLearning:
    report = BrandLearning()
    if PhrasingProposal.objects.filter(article__brand=brand).exists():
        return report
    replies: list[int] = []
    for ticket in _candidates(brand):
        if report.proposals >= per_brand:
            break
        at = _reply_at(ticket, now)
        hits = suggest(ticket, limit=1) if at is not None else []
        if not hits or at is None:
            continue
        if not _asks_for(ticket, hits[0].article_id):
            continue
        article = Article.objects.prefetch_related("translations").get(pk=hits[0].article_id)
        if article.internal:  # a manual for agents: customers cannot open its link
            continue
        agent = ticket.assignee if ticket.assignee and ticket.assignee.user.is_active else lead
        before = PhrasingProposal.objects.filter(article__brand=brand).count()
        message = _answer(ticket, article, agent, at)
        if message is None:
            continue
        replies.append(message.pk)
        report.replies += 1
        report.proposals += PhrasingProposal.objects.filter(article__brand=brand).count() - before
    settle_as_sent(replies)
    _decide(brand, lead, report)
    if report.approved:
        refresh_brand_vectors(brand.pk)  # search knows the new phrasings semantically too
    return report


def seed_learning(
    lead: Agent | None = None, *, now: datetime | None = None, per_brand: int = PER_BRAND
) -> dict[str, BrandLearning]:
    """Run the learning loop on every demo shop that exists (after the help centers)."""
    now = now or timezone.now()
    lead = lead or Agent.objects.get(user__username="lead")
    out: dict[str, BrandLearning] = {}
    for shop in SHOPS:
        brand = Brand.objects.filter(slug=shop.slug).first()
        if brand is not None:
            out[shop.slug] = seed_brand_learning(brand, lead=lead, now=now, per_brand=per_brand)
    return out
