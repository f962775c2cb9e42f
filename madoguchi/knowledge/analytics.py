"""Search analytics of a brand's help center: what customers look for and what they find.

Pure reads over SearchLog (searches from the help center, the widget, the search API and
the contact form; the agents' reply box is counted apart), ArticleFeedback (「役に立ちました
か？」), ContactDeflection (the contact form's suggestions) and ArticleUse (agents answering
with an article). Every number covers one period ending now (the last 7, 30 or 90 days).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from .deflection import deflection_stats
from .models import (
    ArticleFeedback,
    ArticleTranslation,
    ArticleUse,
    SearchLog,
    SearchSource,
)

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP = 20
COMMENTS_PER_ARTICLE = 3
# Searches typed by customers; the agent's reply box is a different audience.
CUSTOMER_SOURCES = (
    SearchSource.HELP_CENTER,
    SearchSource.WIDGET,
    SearchSource.API,
    SearchSource.CONTACT_FORM,
)


def clean_period(value: object) -> int:
    """One of PERIODS (days); anything else is the default."""
    try:
        days = int(str(value))
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def period_bounds(days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    until = now or timezone.now()
    return until - timedelta(days=days), until


@dataclass(frozen=True)
class QueryRow:
    text: str  # the normalized query (NFKC, lower case)
    count: int
    clicks: int
    no_result: int

    @property
    def click_rate(self) -> float:
        return self.clicks / self.count if self.count else 0.0


@dataclass(frozen=True)
class Comment:
    helpful: bool
    text: str
    created_at: datetime


@dataclass
class VoteRow:
    article_id: int
    title: str
    yes: int
    no: int
    comments: list[Comment] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.yes + self.no

    @property
    def ratio(self) -> float:
        return self.yes / self.total if self.total else 0.0


@dataclass(frozen=True)
class ArticleCount:
    article_id: int
    title: str
    count: int
    tickets: int = 0


@dataclass(frozen=True)
class Deflection:
    visits: int  # contact-form visits that showed suggestions
    clicked: int  # … where the customer opened a suggested article
    deflected: int  # … clicked, no ticket, click older than the deflection window (30 min)
    submitted: int  # … clicked, and then sent a ticket anyway

    @property
    def rate(self) -> float:
        return self.deflected / self.visits if self.visits else 0.0


@dataclass
class Analytics:
    brand_id: int
    days: int
    since: datetime
    until: datetime
    searches: int
    searches_with_click: int
    searches_without_result: int
    searches_without_click: int  # had results, none opened
    by_source: list[tuple[str, str, int]]  # (source, its label, searches), agents' box too
    top_queries: list[QueryRow]
    no_result: list[QueryRow]
    no_click: list[QueryRow]
    votes: list[VoteRow]
    opened: list[ArticleCount]
    deflection: Deflection
    agent_use: list[ArticleCount]

    @property
    def click_rate(self) -> float:
        return self.searches_with_click / self.searches if self.searches else 0.0

    @property
    def no_result_rate(self) -> float:
        return self.searches_without_result / self.searches if self.searches else 0.0


def article_titles(article_ids: Iterable[int], language: str) -> dict[int, str]:
    """Article id → title, in `language` when written in it, else its first translation."""
    ids = set(article_ids)
    titles: dict[int, str] = {}
    rows = ArticleTranslation.objects.filter(article_id__in=ids).order_by("article_id", "language")
    for article_id, lang, title in rows.values_list("article_id", "language", "title"):
        if article_id not in titles or lang == language:
            titles[article_id] = title
    return titles


def customer_searches(brand_id: int, since: datetime, until: datetime) -> QuerySet[SearchLog]:
    return SearchLog.objects.filter(
        brand_id=brand_id,
        created_at__gte=since,
        created_at__lt=until,
        source__in=CUSTOMER_SOURCES,
    )


def _query_rows(qs: QuerySet[SearchLog], limit: int) -> list[QueryRow]:
    rows = (
        qs.values("normalized")
        .annotate(
            n=Count("id"),
            clicks=Count("id", filter=Q(clicked_at__isnull=False)),
            empty=Count("id", filter=Q(answered=False)),
            last=Max("created_at"),
        )
        .order_by("-n", "-last", "normalized")[:limit]
    )
    return [QueryRow(r["normalized"], r["n"], r["clicks"], r["empty"]) for r in rows]


def _votes(brand_id: int, since: datetime, until: datetime, language: str) -> list[VoteRow]:
    feedback = ArticleFeedback.objects.filter(
        article__brand_id=brand_id, created_at__gte=since, created_at__lt=until
    )
    counts = (
        feedback.values("article_id")
        .annotate(
            yes=Count("id", filter=Q(helpful=True)),
            no=Count("id", filter=Q(helpful=False)),
            n=Count("id"),
        )
        .order_by("-n", "article_id")[:TOP]
    )
    rows = {c["article_id"]: VoteRow(c["article_id"], "", c["yes"], c["no"]) for c in counts}
    titles = article_titles(rows, language)
    comments = (
        feedback.filter(article_id__in=list(rows))
        .exclude(comment="")
        .order_by("-created_at", "-id")
        .values_list("article_id", "helpful", "comment", "created_at")
    )
    per_article: dict[int, list[Comment]] = defaultdict(list)
    for article_id, helpful, text, created_at in comments[: TOP * 10]:
        if len(per_article[article_id]) < COMMENTS_PER_ARTICLE:
            per_article[article_id].append(Comment(helpful, text, created_at))
    for row in rows.values():
        row.title = titles.get(row.article_id, f"#{row.article_id}")
        row.comments = per_article.get(row.article_id, [])
    return list(rows.values())


def _opened(qs: QuerySet[SearchLog], language: str) -> list[ArticleCount]:
    rows = list(
        qs.filter(clicked_article__isnull=False)
        .values("clicked_article_id")
        .annotate(n=Count("id"))
        .order_by("-n", "clicked_article_id")[:TOP]
    )
    titles = article_titles((r["clicked_article_id"] for r in rows), language)
    return [
        ArticleCount(r["clicked_article_id"], titles.get(r["clicked_article_id"], ""), r["n"])
        for r in rows
    ]


def _deflection(brand_id: int, since: datetime, until: datetime) -> Deflection:
    """The contact form's numbers, by the definition of knowledge.deflection."""
    stats = deflection_stats([brand_id], since, until)
    return Deflection(
        visits=stats.visits_with_suggestions,
        clicked=stats.clicked,
        deflected=stats.deflected,
        submitted=stats.submitted_after_click,
    )


def _agent_use(
    brand_id: int, since: datetime, until: datetime, language: str
) -> list[ArticleCount]:
    rows = list(
        ArticleUse.objects.filter(
            article__brand_id=brand_id, created_at__gte=since, created_at__lt=until
        )
        .values("article_id")
        .annotate(n=Count("id"), tickets=Count("ticket_id", distinct=True))
        .order_by("-n", "article_id")[:TOP]
    )
    titles = article_titles((r["article_id"] for r in rows), language)
    return [
        ArticleCount(r["article_id"], titles.get(r["article_id"], ""), r["n"], r["tickets"])
        for r in rows
    ]


def brand_analytics(
    brand_id: int, days: int, *, language: str = "ja", now: datetime | None = None
) -> Analytics:
    """Everything the analytics page shows for one brand and period (a dozen queries)."""
    since, until = period_bounds(days, now)
    qs = customer_searches(brand_id, since, until)
    totals = qs.aggregate(
        n=Count("id"),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        empty=Count("id", filter=Q(answered=False)),
        unclicked=Count("id", filter=Q(answered=True, clicked_at__isnull=True)),
    )
    by_source = dict(
        SearchLog.objects.filter(brand_id=brand_id, created_at__gte=since, created_at__lt=until)
        .values("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    return Analytics(
        brand_id=brand_id,
        days=days,
        since=since,
        until=until,
        searches=totals["n"],
        searches_with_click=totals["clicked"],
        searches_without_result=totals["empty"],
        searches_without_click=totals["unclicked"],
        by_source=[
            (s, str(label), by_source[s]) for s, label in SearchSource.choices if s in by_source
        ],
        top_queries=_query_rows(qs, TOP),
        no_result=_query_rows(qs.filter(answered=False), TOP),
        no_click=_query_rows(qs.filter(answered=True, clicked_at__isnull=True), TOP),
        votes=_votes(brand_id, since, until, language),
        opened=_opened(qs, language),
        deflection=_deflection(brand_id, since, until),
        agent_use=_agent_use(brand_id, since, until, language),
    )
