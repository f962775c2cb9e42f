"""Search analytics of a brand and period: counts, top queries, votes, deflection, agent use."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.accounts.models import Brand
from madoguchi.inboxes.ingest import ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.knowledge.analytics import brand_analytics, clean_period
from madoguchi.knowledge.models import (
    ArticleFeedback,
    ArticleUse,
    ContactDeflection,
    SearchLog,
    SearchSource,
)
from madoguchi.knowledge.search_log import record_click, record_search
from madoguchi.tickets.models import Ticket
from tests.knowledge.helpcenter_data import make_help_center

NOW = timezone.now()


@pytest.fixture
def kb(brand, inboxes):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def ticket(inboxes, subject: str = "質問", body: str = "教えてください") -> Ticket:  # type: ignore[no-untyped-def]
    result = ingest(
        InboundMessage(
            inbox_id=inboxes["form"].pk,
            external_id=f"t-{uuid.uuid4()}",
            sender=SenderHandle("email", "hana@example.jp"),
            sender_name="花子",
            subject=subject,
            body_text=body,
        )
    )
    return Ticket.objects.get(pk=result.ticket_id)


def search(brand_id, query, shown, *, days_ago=1.0, click=None, source=SearchSource.HELP_CENTER):  # type: ignore[no-untyped-def]
    row = record_search(brand_id=brand_id, source=source, query=query, shown=shown)
    if click is not None:
        assert record_click(row.pk, click)
    at = NOW - timedelta(days=days_ago)
    SearchLog.objects.filter(pk=row.pk).update(created_at=at, updated_at=at)
    return row


def test_clean_period():
    assert clean_period("7") == 7 and clean_period(90) == 90
    assert clean_period("12") == 30 and clean_period(None) == 30 and clean_period("x") == 30


@pytest.mark.django_db
def test_counts_top_queries_no_result_and_no_click(kb):
    b = kb.brand.pk
    for _ in range(3):
        search(b, "荷物いまどこ", [kb.tracking.pk], click=kb.tracking.pk)
    search(b, "ニモツ　イマドコ", [kb.tracking.pk])  # same normalized? no: kana differ
    search(b, "荷物いまどこ ", [kb.tracking.pk])  # normalized like the first three
    search(b, "ギフト券", [])
    search(b, "ギフト券", [])
    search(b, "送料", [kb.days.pk])
    search(b, "old question", [], days_ago=40)  # outside 30 days
    search(b, "agent question", [kb.tracking.pk], source=SearchSource.AGENT)  # not customers
    other = Brand.objects.create(name="他", slug="other")
    search(other.pk, "荷物いまどこ", [])
    data = brand_analytics(b, 30, now=NOW)
    assert data.searches == 8
    assert data.searches_with_click == 3
    assert data.searches_without_result == 2
    assert data.searches_without_click == 3  # results shown, none opened
    top = data.top_queries[0]
    assert (top.text, top.count, top.clicks) == ("荷物いまどこ", 4, 3)
    assert top.click_rate == 0.75
    assert [(r.text, r.count) for r in data.no_result] == [("ギフト券", 2)]
    assert {r.text for r in data.no_click} == {"荷物いまどこ", "ニモツ イマドコ", "送料"}
    assert data.opened[0].article_id == kb.tracking.pk and data.opened[0].count == 3
    by_source = {code: n for code, _label, n in data.by_source}
    assert by_source == {"help_center": 8, "agent": 1}  # the agent's search counted apart
    assert brand_analytics(b, 90, now=NOW).searches == 9


@pytest.mark.django_db
def test_helpful_votes_per_article_with_latest_comments(kb):
    for helpful, comment in [(True, ""), (True, "分かりやすい"), (False, "写真がほしい")]:
        ArticleFeedback.objects.create(
            article=kb.tracking, language="ja", helpful=helpful, comment=comment
        )
    old = ArticleFeedback.objects.create(article=kb.days, language="ja", helpful=False)
    ArticleFeedback.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=10))
    data = brand_analytics(kb.brand.pk, 7, now=timezone.now() + timedelta(minutes=1))
    assert len(data.votes) == 1
    row = data.votes[0]
    assert (row.title, row.yes, row.no, row.total) == ("配送状況の確認方法", 2, 1, 3)
    assert round(row.ratio, 2) == 0.67
    assert [c.text for c in row.comments] == ["写真がほしい", "分かりやすい"]
    assert (
        len(brand_analytics(kb.brand.pk, 30, now=timezone.now() + timedelta(minutes=1)).votes) == 2
    )


@pytest.mark.django_db
def test_deflection_needs_a_click_no_ticket_and_thirty_minutes(kb, inboxes):
    def visit(token, *, shown=True, clicked_ago=None, with_ticket=False):  # type: ignore[no-untyped-def]
        return ContactDeflection.objects.create(
            inbox=inboxes["form"], brand=kb.brand, token=token,
            shown=[kb.tracking.pk] if shown else [],
            clicked=[kb.tracking.pk] if clicked_ago is not None else [],
            first_clicked_at=NOW - clicked_ago if clicked_ago is not None else None,
            ticket=ticket(inboxes) if with_ticket else None,
            submitted_at=NOW if with_ticket else None,
            created_at=NOW - timedelta(hours=2), updated_at=NOW,
        )  # fmt: skip

    visit("a", clicked_ago=timedelta(hours=1))  # deflected
    visit("b", clicked_ago=timedelta(minutes=5))  # too recent to tell
    visit("c", clicked_ago=timedelta(hours=1), with_ticket=True)  # wrote anyway
    visit("d")  # saw suggestions, did not click, did not write
    visit("e", with_ticket=True)  # wrote without opening anything
    stats = brand_analytics(kb.brand.pk, 7).deflection
    assert (stats.visits, stats.clicked, stats.deflected, stats.submitted) == (5, 3, 1, 1)
    assert stats.rate == pytest.approx(0.2)


@pytest.mark.django_db
def test_agent_use_counts_uses_and_tickets(kb, inboxes):
    first, second = ticket(inboxes), ticket(inboxes)
    for t in (first, first, second):
        ArticleUse.objects.create(article=kb.tracking, ticket=t, kind="link", created_at=NOW)
    ArticleUse.objects.create(article=kb.days, ticket=first, kind="text", created_at=NOW)
    data = brand_analytics(kb.brand.pk, 7, now=timezone.now() + timedelta(minutes=1))
    assert [(r.title, r.count, r.tickets) for r in data.agent_use] == [
        ("配送状況の確認方法", 3, 2),
        ("お届けまでの日数", 1, 1),
    ]
