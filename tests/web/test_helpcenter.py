"""The public help center: pages, language fallback, hidden articles, feedback, sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client

from madoguchi.knowledge.engine.store import forget
from madoguchi.knowledge.models import ArticleFeedback
from tests.knowledge.helpcenter_data import make_help_center


@pytest.fixture(autouse=True)
def _fresh_throttle_and_index():  # type: ignore[no-untyped-def]
    cache.clear()
    forget(everything=True)
    yield
    cache.clear()
    forget(everything=True)


@pytest.fixture
def kb(brand, inboxes):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def page(client, url: str, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_home_shows_categories_sections_top_articles_and_contact(client, kb):
    html = page(client, "/help/test-shop/")
    assert '<html lang="ja">' in html
    assert "配送について" in html and "ご注文について" in html
    assert 'href="/help/test-shop/c/delivery-status/"' in html  # the section
    assert f'href="/help/test-shop/a/{kb.tracking.pk}/"' in html
    assert "準備中" not in html  # a category without public articles
    assert "返品ポリシー" not in html and "クレーム対応マニュアル" not in html
    assert 'href="/contact/test-form/"' in html  # the brand's contact form
    assert 'role="combobox"' in html and 'action="/help/test-shop/search/"' in html
    assert 'hreflang="en" href="/help/test-shop/en/"' in html


def test_unknown_brand_and_language_are_404(client, kb):
    page(client, "/help/no-such-shop/", 404)
    page(client, "/help/no-such-shop/sitemap.xml", 404)
    page(client, "/help/test-shop/fr/", 404)


def test_article_page_renders_sanitised_markdown_breadcrumbs_and_related(client, kb):
    html = page(client, f"/help/test-shop/a/{kb.tracking.pk}/")
    assert "<h1>配送状況の確認方法</h1>" in html
    assert "<h2>確認手順</h2>" in html and "<strong>配送状況</strong>" in html
    assert "<script>alert" not in html  # raw HTML in Markdown is never trusted
    crumbs = html[html.index('class="help-wrap help-crumbs"') :].split("</nav>")[0]
    assert [part.split('"')[0] for part in crumbs.split('href="')[1:]] == [
        "/help/test-shop/",
        "/help/test-shop/c/shipping/",
        "/help/test-shop/c/delivery-status/",
    ]
    assert '<li aria-current="page">配送状況の確認方法</li>' in crumbs
    assert 'name="helpful" value="yes"' in html and 'name="comment"' in html
    html = page(client, f"/help/test-shop/a/{kb.double_order.pk}/")
    assert f'href="/help/test-shop/a/{kb.tracking.pk}/"' in html  # related
    assert "返品ポリシー" not in html and "クレーム対応マニュアル" not in html


@pytest.mark.parametrize("which", ["draft", "internal", "other_brand"])
def test_drafts_internal_and_other_brands_articles_are_404(client, kb, which):
    article = getattr(kb, which)
    page(client, f"/help/test-shop/a/{article.pk}/", 404)
    page(client, f"/help/test-shop/en/a/{article.pk}/", 404)


def test_english_pages_and_fallback_to_japanese(client, kb):
    html = page(client, f"/help/test-shop/en/a/{kb.tracking.pk}/")
    assert '<html lang="en">' in html and "How to check your delivery status" in html
    assert "<strong>Order history</strong>" in html
    html = page(client, f"/help/test-shop/en/a/{kb.days.pk}/")
    assert "お届けまでの日数" in html  # no English translation: the Japanese text
    assert "not available in your language yet" in html
    html = page(client, "/help/test-shop/en/c/shipping/")
    assert "<h1>Shipping</h1>" in html and "Delivery status" in html


def test_category_pages(client, kb):
    html = page(client, "/help/test-shop/c/delivery-status/")
    assert "<h1>配送状況</h1>" in html and "配送状況の確認方法" in html
    assert 'href="/help/test-shop/c/shipping/"' in html  # breadcrumb to the parent
    page(client, "/help/test-shop/c/empty/", 404)
    page(client, "/help/test-shop/c/missing/", 404)


def test_sitemap_lists_only_public_articles(client, kb, settings):
    settings.PUBLIC_URL = "https://help.example.jp"
    response = client.get("/help/test-shop/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(response.content).findall("s:url/s:loc", ns)]
    base = "https://help.example.jp/help/test-shop"
    assert set(locs) == {
        f"{base}/",
        f"{base}/a/{kb.tracking.pk}/",
        f"{base}/en/a/{kb.tracking.pk}/",
        f"{base}/a/{kb.days.pk}/",
        f"{base}/a/{kb.double_order.pk}/",
    }


def test_helpful_vote_without_javascript(client, kb):
    url = f"/help/test-shop/a/{kb.tracking.pk}/feedback/"
    response = client.post(url, {"helpful": "no", "comment": "画像があるとわかりやすいです"})
    assert response.status_code == 302
    assert response["Location"] == f"/help/test-shop/a/{kb.tracking.pk}/?voted=no#feedback"
    stored = ArticleFeedback.objects.get()
    assert (stored.helpful, stored.language) == (False, "ja")
    assert stored.comment == "画像があるとわかりやすいです"
    assert stored.client and "127.0.0.1" not in stored.client  # hashed
    html = page(client, response["Location"])
    assert 'class="help-thanks"' in html and 'name="helpful"' not in html


def test_vote_on_a_fallback_records_the_language_read(client, kb):
    response = client.post(f"/help/test-shop/en/a/{kb.days.pk}/feedback/", {"helpful": "yes"})
    assert response["Location"].startswith(f"/help/test-shop/en/a/{kb.days.pk}/")
    assert ArticleFeedback.objects.get().language == "ja"


@pytest.mark.parametrize(
    ("data", "status"),
    [({"helpful": "maybe"}, 422), ({}, 422), ({"helpful": "yes", "comment": "あ" * 2001}, 422)],
)
def test_bad_votes_are_refused(client, kb, data, status):
    response = client.post(f"/help/test-shop/a/{kb.tracking.pk}/feedback/", data)
    assert response.status_code == status
    assert 'class="help-error"' in response.content.decode()
    assert not ArticleFeedback.objects.exists()


def test_votes_on_hidden_articles_and_get_are_refused(client, kb):
    for article in (kb.draft, kb.internal, kb.other_brand):
        url = f"/help/test-shop/a/{article.pk}/feedback/"
        assert client.post(url, {"helpful": "yes"}).status_code == 404
    assert client.get(f"/help/test-shop/a/{kb.tracking.pk}/feedback/").status_code == 405
    assert not ArticleFeedback.objects.exists()


def test_vote_rate_limit(client, kb, settings):
    settings.KB_FEEDBACK_RATE_LIMIT_PER_HOUR = 1
    client.post(f"/help/test-shop/a/{kb.tracking.pk}/feedback/", {"helpful": "yes"})
    response = client.post(f"/help/test-shop/a/{kb.days.pk}/feedback/", {"helpful": "yes"})
    assert response.status_code == 429
    assert ArticleFeedback.objects.count() == 1


def test_vote_needs_csrf_token(kb):
    client = Client(enforce_csrf_checks=True)
    url = f"/help/test-shop/a/{kb.tracking.pk}/"
    assert client.post(url + "feedback/", {"helpful": "yes"}).status_code == 403
    html = client.get(url).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(url + "feedback/", {"helpful": "yes", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ArticleFeedback.objects.count() == 1


def test_search_page_without_query_and_with_too_long_query(client, kb):
    html = page(client, "/help/test-shop/search/")
    assert 'name="q"' in html
    page(client, "/help/test-shop/search/?q=" + "あ" * 201, 422)


def test_search_page_shows_public_results(client, kb):
    html = page(client, "/help/test-shop/search/?q=配送状況")
    assert f'href="/help/test-shop/a/{kb.tracking.pk}/?sl=' in html
    assert "別ブランド" not in html and "クレーム対応" not in html


def test_search_page_says_when_the_results_may_not_answer(client, kb, monkeypatch):
    html = page(client, "/help/test-shop/search/?q=配送状況の確認")
    assert "help-unsure" not in html
    from madoguchi.web.views import helpcenter

    monkeypatch.setattr(helpcenter, "answers", lambda question, hit: False)
    html = page(client, "/help/test-shop/search/?q=配送状況の確認")
    assert "help-unsure" in html and "/help/test-shop/a/" in html  # the closest ones still show


def test_search_page_rate_limit(client, kb, settings):
    settings.KB_SEARCH_RATE_LIMIT_PER_MINUTE = 0
    page(client, "/help/test-shop/search/?q=配送", 429)


def test_widget_script(client, kb, settings):
    settings.PUBLIC_URL = "https://desk.example.jp"
    response = client.get("/help/test-shop/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Access-Control-Allow-Origin"] == "*"
    source = response.content.decode()
    assert '"api": "https://desk.example.jp/api/v1/kb/search"' in source
    assert '"brand": "test-shop"' in source and "attachShadow" in source


def test_search_page_escapes_the_query(client, kb):
    html = page(client, "/help/test-shop/search/?q=<script>alert(1)</script>")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'hreflang="en" href="/help/test-shop/en/search/?q=%3Cscript%3E' in html
