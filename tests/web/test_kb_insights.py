"""Search logging of the public help center and API, and the insights pages of the console."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client

from madoguchi.knowledge.engine.store import forget
from madoguchi.knowledge.models import ArticleFeedback, SearchLog, SearchSource
from madoguchi.knowledge.search_log import record_search
from tests.knowledge.helpcenter_data import make_help_center

API = "/api/v1/kb/search"
SESSION = "box-session-0001"


@pytest.fixture(autouse=True)
def _fresh():  # type: ignore[no-untyped-def]
    cache.clear()
    forget(everything=True)
    yield
    cache.clear()
    forget(everything=True)


@pytest.fixture
def kb(brand, inboxes):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def api(params: dict):  # type: ignore[no-untyped-def]
    return Client().get(API, params)


@pytest.mark.django_db
def test_api_logs_one_row_per_session_and_returns_its_id(kb):
    first = api({"q": "荷物", "brand": "test-shop", "session": SESSION, "source": "widget"})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"results", "degraded", "search_id"}
    second = api(
        {"q": "荷物いまどこ", "brand": "test-shop", "session": SESSION, "source": "widget"}
    )
    assert second.json()["search_id"] == body["search_id"]
    row = SearchLog.objects.get()
    assert (row.query, row.source, row.session, row.brand_id) == (
        "荷物いまどこ", "widget", SESSION, kb.brand.pk,
    )  # fmt: skip
    assert row.shown == [h["id"] for h in second.json()["results"]]
    # without a session every call is its own search, logged as "api"
    third = api({"q": "荷物いまどこ", "brand": "test-shop"})
    assert third.json()["search_id"] != body["search_id"]
    assert SearchLog.objects.get(pk=third.json()["search_id"]).source == SearchSource.API


@pytest.mark.django_db
def test_api_validation_errors_carry_cors(kb):
    for params in (
        {"q": "送料", "limit": "abc"},  # ninja's own 422
        {"q": "送料", "session": "bad key!"},
        {"q": "送料", "source": "contact_form"},
        {"q": "x" * 300},
        {"q": "送料", "nope": "1"},
    ):
        response = api(params)
        assert response.status_code == 422, params
        assert response["Access-Control-Allow-Origin"] == "*", params
    assert api({"q": "送料", "brand": "nope"})["Access-Control-Allow-Origin"] == "*"
    assert not SearchLog.objects.exists()


@pytest.mark.django_db
def test_a_failing_log_never_breaks_the_search(kb, monkeypatch):
    from madoguchi.knowledge import search_tracking

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseError("database is locked")

    monkeypatch.setattr(search_tracking, "record_search", broken)
    response = api({"q": "荷物いまどこ", "brand": "test-shop"})
    assert response.status_code == 200
    assert response.json()["search_id"] is None and response.json()["results"]
    page = Client().get("/help/test-shop/search/", {"q": "荷物いまどこ"})
    assert page.status_code == 200 and "?sl=" not in page.content.decode()


@pytest.mark.django_db
def test_search_page_logs_and_its_links_record_the_click(kb):
    page = Client().get("/help/test-shop/search/", {"q": "荷物いまどこ", "s": SESSION})
    html = page.content.decode()
    row = SearchLog.objects.get()
    assert (row.source, row.session) == ("help_center", SESSION)
    link = f"/help/test-shop/a/{kb.tracking.pk}/?sl={row.pk}"
    assert f'href="{link}"' in html
    # a link to an article this search never showed (forged) is not a click
    row.shown = [kb.tracking.pk]
    row.save(update_fields=["shown"])
    forged = Client().get(f"/help/test-shop/a/{kb.days.pk}/?sl={row.pk}")
    assert forged.status_code == 302 and forged["Location"] == f"/help/test-shop/a/{kb.days.pk}/"
    row.refresh_from_db()
    assert row.clicked_at is None
    response = Client().get(link, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0].endswith(
        f"/a/{kb.tracking.pk}/"
    )
    row.refresh_from_db()
    assert row.clicked_article_id == kb.tracking.pk
    assert Client().get(f"/help/test-shop/a/{kb.tracking.pk}/?sl=junk").status_code == 302


@pytest.fixture
def data(kb):  # type: ignore[no-untyped-def]
    b = kb.brand.pk
    for _ in range(3):
        record_search(brand_id=b, source="help_center", query="ギフト券は使えますか", shown=[])
    record_search(brand_id=b, source="widget", query="商品券って使える？", shown=[])
    record_search(brand_id=b, source="help_center", query="荷物いまどこ", shown=[kb.tracking.pk])
    ArticleFeedback.objects.create(
        article=kb.tracking, language="ja", helpful=False, comment="写真がほしい"
    )
    return kb


@pytest.mark.django_db
def test_lead_sees_analytics_and_gaps(data, make_agent, login):
    lead = make_agent("lead")
    client = login(lead, "en")
    brand = data.brand.pk
    html = client.get(f"/knowledge/analytics/?brand={brand}&days=7").content.decode()
    assert "ギフト券は使えますか" in html and "荷物いまどこ" in html
    assert "写真がほしい" in html
    assert "How to check your delivery status" in html  # the console language first
    assert re.search(r'name="days" value="7" checked', html)
    response = client.get(f"/knowledge/gaps/?brand={brand}&days=30")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Missing FAQ" in html
    assert "/knowledge/new/?brand=" in html and "&amp;title=" in html
    assert "ギフト券" in html or "商品券" in html
    # an unknown period falls back to 30 days
    assert client.get(f"/knowledge/analytics/?brand={brand}&days=999").status_code == 200


@pytest.mark.django_db
def test_plain_agents_are_refused(data, agent, login):
    client = login(agent, "en")
    assert client.get("/knowledge/analytics/").status_code == 403
    assert client.get("/knowledge/gaps/").status_code == 403


@pytest.mark.django_db
def test_pages_render_without_any_data(brand, make_agent, login):
    client = login(make_agent("admin"), "ja")
    assert client.get("/knowledge/analytics/").status_code == 200
    assert client.get("/knowledge/gaps/").status_code == 200
