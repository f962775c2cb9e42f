"""The learning loop: an agent answered a ticket with an article → record the use, and
propose the customer's question as a new 言い換え (phrasing) of that article for review.

`record_reply_articles` runs after a public reply is committed (the reply view, the demo
seeding). Articles count when the reply form named them (inserted from the reply box) and
the reply still carries them — their help-center link or a line of their text — or when the
reply links to them by URL. Only published articles of the ticket's brand that the agent may
read count; internal notes never do. Idempotent per (article, message).

Proposals are cleaned by `questions.clean_question` (no greetings, quotes, signatures or
personal data) and deduplicated by (article, language, normalized text) — a question that
already is the article's title or one of its phrasings, or was proposed before (pending,
approved or rejected), is not proposed again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from madoguchi.accounts.models import Agent
from madoguchi.tickets.models import AuthorKind, Direction, Message, Ticket

from .models import Article, ArticleUse, ArticleUseKind, PhrasingProposal
from .questions import clean_question, detect_language, normalize_phrasing
from .reply_box import reply_text, usable_articles

MAX_ARTICLES = 20  # per reply: more is not a reply, it is a forged form
MIN_LINE = 10  # characters of an article line that prove its text is in the reply

_HELP_LINK = re.compile(
    r"https?://[^\s/]+/help/(?P<slug>[-a-zA-Z0-9_]+)/(?:(?:ja|en)/)?a/(?P<id>\d+)(?!\d)"
)


def linked_article_ids(body: str, brand_slug: str) -> list[int]:
    """Ids of this brand's help-center articles linked in a reply (any host: agents copy
    links from the help center however they reached it), first first, no repeats."""
    found: list[int] = []
    for match in _HELP_LINK.finditer(unicodedata.normalize("NFKC", body or "")):
        if match.group("slug") == brand_slug:
            pk = int(match.group("id"))
            if pk not in found:
                found.append(pk)
    return found


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _text_in_reply(article: Article, squeezed_body: str) -> bool:
    """Whether the reply still carries the article's text: its title or one of its lines."""
    for translation in article.translations.all():
        if len(_squeeze(translation.title)) >= 4 and _squeeze(translation.title) in squeezed_body:
            return True
        text = reply_text(translation.body, japanese=translation.language == "ja")
        for line in text.split("\n"):
            line = _squeeze(re.sub(r"^\s*(?:・|-|\d+\.)\s*", "", line))
            if len(line) >= MIN_LINE and line in squeezed_body:
                return True
        if text and len(_squeeze(text)) < MIN_LINE and _squeeze(text) in squeezed_body:
            return True
    return False


def question_message(ticket: Ticket, before: Message | None) -> Message | None:
    """The customer's latest message before `before` (the reply): the question answered."""
    qs = Message.objects.filter(
        ticket=ticket,
        direction=Direction.INBOUND,
        author_kind=AuthorKind.CUSTOMER,
        is_internal=False,
    )
    if before is not None and before.pk:
        qs = qs.filter(created_at__lte=before.created_at).exclude(pk=before.pk)
    return qs.order_by("-created_at", "-id").first()


def record_reply_articles(
    *,
    agent: Agent,
    ticket: Ticket,
    message: Message | None,
    article_ids: Iterable[int],
    body: str,
) -> list[ArticleUse]:
    """Record which articles a public reply used and propose the customer's question as a
    phrasing of each; returns the reply's ArticleUse rows (new and already recorded)."""
    if message is None or message.is_internal or message.direction != Direction.OUTBOUND:
        return []
    named: list[int] = []
    for value in article_ids:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk > 0 and pk not in named:
            named.append(pk)
    named = named[:MAX_ARTICLES]
    linked = linked_article_ids(body, ticket.brand.slug)[:MAX_ARTICLES]
    wanted = list(dict.fromkeys(named + linked))
    if not wanted:
        return []
    articles = {
        a.pk: a
        for a in usable_articles(agent, ticket)
        .filter(pk__in=wanted)
        .prefetch_related("translations")
    }
    squeezed = _squeeze(body)
    uses: list[ArticleUse] = []
    used_articles: list[Article] = []
    now = timezone.now()
    for pk in wanted:
        article = articles.get(pk)
        if article is None:
            continue  # another brand's, a draft, unknown, or not readable by this agent
        if pk in linked:
            kind = ArticleUseKind.LINK
        elif _text_in_reply(article, squeezed):
            kind = ArticleUseKind.TEXT
        else:
            continue  # inserted, then deleted from the reply before sending
        use = _use(article, ticket, message, agent, kind, now)
        uses.append(use)
        used_articles.append(article)
    if used_articles:
        source = question_message(ticket, message)
        if source is not None:
            for article in used_articles:
                propose_phrasing(
                    article=article,
                    text=source.body_text,
                    ticket=ticket,
                    source_message=source,
                    agent=agent,
                    names=[getattr(ticket.customer, "name", "")],
                )
    return uses


def _use(
    article: Article, ticket: Ticket, message: Message, agent: Agent, kind: str, now: datetime
) -> ArticleUse:
    existing = ArticleUse.objects.filter(article=article, message=message).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ArticleUse.objects.create(
                article=article, ticket=ticket, message=message, agent=agent, kind=kind,
                created_at=now,
            )  # fmt: skip
    except IntegrityError:  # recorded meanwhile by a second request for the same reply
        return ArticleUse.objects.get(article=article, message=message)


def known_phrasings(article: Article, language: str) -> set[str]:
    """Normalized titles and phrasings of the article in `language`."""
    known: set[str] = set()
    for translation in article.translations.all():
        if translation.language != language:
            continue
        known.add(normalize_phrasing(translation.title))
        known.update(normalize_phrasing(str(p)) for p in translation.phrasings or [])
    return known


def propose_phrasing(
    *,
    article: Article,
    text: str,
    ticket: Ticket | None = None,
    source_message: Message | None = None,
    agent: Agent | None = None,
    names: Iterable[str] = (),
) -> PhrasingProposal | None:
    """Propose the question in `text` (a customer's raw message) as a phrasing of `article`.

    None when nothing usable is left after cleaning, when the article has no translation in
    the question's language, when it already is a title or phrasing, or when it was proposed
    before."""
    question = clean_question(text, names=names)
    if not question:
        return None
    language = detect_language(question)
    if not any(t.language == language for t in article.translations.all()):
        return None
    normalized = normalize_phrasing(question)
    if not normalized or normalized in known_phrasings(article, language):
        return None
    if PhrasingProposal.objects.filter(
        article=article, language=language, normalized=normalized
    ).exists():
        return None
    try:
        with transaction.atomic():
            return PhrasingProposal.objects.create(
                article=article, language=language, text=question, normalized=normalized,
                ticket=ticket, source_message=source_message, proposed_by=agent,
                created_at=timezone.now(),
            )  # fmt: skip
    except IntegrityError:  # proposed meanwhile by another reply
        return None
