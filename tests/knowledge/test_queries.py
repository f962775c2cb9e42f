"""Help-center reads: only published public articles, language fallback, related, sitemap."""

from __future__ import annotations

import pytest

from madoguchi.core.errors import NotFound
from madoguchi.knowledge import queries
from madoguchi.knowledge.models import Article, ArticleTranslation

from .helpcenter_data import make_help_center


@pytest.fixture
def kb(brand):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def test_category_tree_counts_only_public_articles_and_hides_empty_categories(kb):
    tree = queries.category_tree(kb.brand, "ja")
    assert [node.category.slug for node in tree] == ["shipping", "orders"]
    shipping, orders = tree
    assert shipping.name == "配送について"
    assert shipping.article_count == 2
    assert [s.category.slug for s in shipping.sections] == ["delivery-status"]
    assert [a.title for a in shipping.articles] == ["お届けまでの日数", "配送状況の確認方法"]
    # the draft and the internal manual are not counted or listed
    assert orders.article_count == 1
    assert [a.title for a in orders.articles] == ["二重注文してしまった場合"]


def test_category_tree_in_english_falls_back_per_article(kb):
    shipping = queries.category_tree(kb.brand, "en")[0]
    assert shipping.name == "Shipping"
    titles = {a.id: (a.title, a.language) for a in shipping.articles}
    assert titles[kb.tracking.pk] == ("How to check your delivery status", "en")
    assert titles[kb.days.pk] == ("お届けまでの日数", "ja")


def test_public_article_language_and_fallback(kb):
    page = queries.public_article(kb.brand, kb.tracking.pk, "en")
    assert page.translation.title == "How to check your delivery status"
    assert not page.is_fallback and page.languages == ["en", "ja"]
    page = queries.public_article(kb.brand, kb.days.pk, "en")
    assert page.translation.language == "ja" and page.is_fallback


@pytest.mark.parametrize("which", ["draft", "internal", "other_brand"])
def test_drafts_internal_and_other_brands_are_not_found(kb, which):
    with pytest.raises(NotFound):
        queries.public_article(kb.brand, getattr(kb, which).pk, "ja")


def test_public_category_lists_sections_and_refuses_empty_ones(kb):
    node, parent = queries.public_category(kb.brand, "shipping", "ja")
    assert parent is None
    assert [a.title for a in node.articles] == ["お届けまでの日数"]
    assert [a.title for s in node.sections for a in s.articles] == ["配送状況の確認方法"]
    section, parent = queries.public_category(kb.brand, "delivery-status", "ja")
    assert parent == kb.shipping and section.name == "配送状況"
    for slug in ("empty", "nothing-here"):
        with pytest.raises(NotFound):
            queries.public_category(kb.brand, slug, "ja")


def test_related_articles_skip_drafts_and_internal_then_fill_from_category(kb):
    related = queries.related_articles(kb.double_order, "ja", kb.brand)
    assert [a.id for a in related] == [kb.tracking.pk]
    # no explicit relations: others from the same category (published, public only)
    related = queries.related_articles(kb.days, "ja", kb.brand)
    assert related == []
    sibling = Article.objects.create(brand=kb.brand, category=kb.status_section, status="published")
    ArticleTranslation.objects.create(article=sibling, language="ja", title="追跡番号の見方")
    related = queries.related_articles(kb.tracking, "ja", kb.brand)
    assert [(a.id, a.title) for a in related] == [(sibling.pk, "追跡番号の見方")]


def test_sitemap_lists_each_public_translation(kb):
    entries = queries.sitemap_entries(kb.brand)
    pairs = {(e.article_id, e.language) for e in entries}
    assert pairs == {
        (kb.tracking.pk, "ja"),
        (kb.tracking.pk, "en"),
        (kb.days.pk, "ja"),
        (kb.double_order.pk, "ja"),
    }


def test_article_path_is_unprefixed_in_the_brand_language(kb):
    assert queries.article_path("test-shop", "ja", "ja", 7) == "/help/test-shop/a/7/"
    assert queries.article_path("test-shop", "ja", "en", 7) == "/help/test-shop/en/a/7/"


def test_unknown_brand_is_not_found(db):
    with pytest.raises(NotFound) as caught:
        queries.public_brand("no-such-shop")
    assert caught.value.code == "brand_not_found"
