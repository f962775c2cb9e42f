"""Demo search history: real searches through search_log, and a gap report that shows the
topics the demo FAQ lacks."""

from __future__ import annotations

import random

import pytest
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from madoguchi.accounts.models import Brand
from madoguchi.demo.search_activity import GAPS, seed_search_activity
from madoguchi.demo.seed import DEMO_SLUGS, seed
from madoguchi.knowledge.analytics import brand_analytics
from madoguchi.knowledge.engine.store import forget
from madoguchi.knowledge.gaps import build_report
from madoguchi.knowledge.models import ContactDeflection, SearchLog


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    forget(everything=True)
    cache.clear()
    with django_capture_on_commit_callbacks(execute=False):
        seed(customers=30, tickets=60)
    yield {b.slug: b for b in Brand.objects.filter(slug__in=DEMO_SLUGS)}
    forget(everything=True)
    cache.clear()


@pytest.mark.django_db
def test_demo_search_history_feeds_analytics_and_the_gap_report(demo):
    brand = demo["hinata-zakka"]
    SearchLog.objects.filter(brand=brand).delete()  # whatever the seed already wrote
    ContactDeflection.objects.filter(brand=brand).delete()
    now = timezone.now()
    counts = seed_search_activity(brand, now, random.Random(3))
    assert counts["searches"] > 150 and 0 < counts["clicks"] < counts["searches"]
    rows = SearchLog.objects.filter(brand=brand)
    assert rows.count() == counts["searches"]
    for row in rows.filter(clicked_article__isnull=False):
        assert row.clicked_article_id in row.shown  # clicks only on what the search showed
    assert not rows.filter(created_at__gt=now).exists()
    assert not rows.filter(clicked_at__lt=F("created_at")).exists()
    # a visit that ended in a form ticket was shown what that ticket's question finds
    for visit in ContactDeflection.objects.filter(brand=brand, ticket__isnull=False):
        assert visit.ticket is not None and visit.last_query.startswith(visit.ticket.subject)
        assert visit.shown and visit.submitted_at == visit.ticket.created_at
    # a second run adds nothing
    assert seed_search_activity(brand, now, random.Random(3))["searches"] == 0

    data = brand_analytics(brand.pk, 30)
    assert data.searches > 100 and data.top_queries and data.no_click
    assert data.deflection.visits > 0

    report = build_report(brand.pk, 30)
    gift = {
        text for topic, texts, _n in GAPS["hinata-zakka"] if topic == "gift-card" for text in texts
    }
    top = report.topics[:8]
    gift_topics = [t for t in top if any(q.text in gift for q in t.examples)]
    assert gift_topics and gift_topics[0].near is None  # the demo FAQ has no such article
    assert all(t.size >= 2 for t in report.topics)
