"""GET /api/v1/kb/search: public, rate limited, CORS, only published public articles."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from madoguchi.knowledge.engine.store import forget
from tests.knowledge.helpcenter_data import make_help_center

URL = "/api/v1/kb/search"


@pytest.fixture(autouse=True)
def _fresh_throttle_and_index():  # type: ignore[no-untyped-def]
    cache.clear()
    forget(everything=True)
    yield
    cache.clear()
    forget(everything=True)


@pytest.fixture
def kb(brand):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def get(params: dict, **headers: str):  # type: ignore[no-untyped-def]
    return Client().get(URL, params, headers=headers)


def test_results_shape_best_first_with_absolute_urls(kb, settings):
    settings.PUBLIC_URL = "https://desk.example.jp"
    response = get({"q": "配送状況の確認", "brand": "test-shop"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert set(body) == {"results", "degraded", "search_id"} and isinstance(body["degraded"], bool)
    first = body["results"][0]
    assert set(first) >= {"id", "external_id", "title", "snippet", "url", "score"}
    assert first["id"] == kb.tracking.pk and first["external_id"] == "faq-001"
    assert first["title"] == "配送状況の確認方法"
    assert first["url"] == f"https://desk.example.jp/help/test-shop/a/{kb.tracking.pk}/"
    scores = [hit["score"] for hit in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_only_published_public_articles_of_the_brand(kb):
    seen = set()
    for q in ("返品ポリシー", "クレーム対応マニュアル", "別ブランドの配送状況", "配送状況"):
        for hit in get({"q": q, "brand": "test-shop", "limit": 20}).json()["results"]:
            seen.add(hit["id"])
    assert kb.tracking.pk in seen
    assert not seen & {kb.draft.pk, kb.internal.pk, kb.other_brand.pk}


def test_limit_and_all_brands(kb):
    results = get({"q": "配送", "limit": 1}).json()["results"]
    assert len(results) <= 1
    everywhere = {
        h["id"] for h in get({"q": "別ブランドの配送状況", "limit": 20}).json()["results"]
    }
    assert kb.other_brand.pk in everywhere  # no brand: every brand's public articles


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "あ" * 201},
        {"q": "配送", "limit": 0},
        {"q": "配送", "limit": 21},
        {"q": "配送", "limit": "many"},
        {"q": "配送", "language": "fr"},
        {"q": "配送", "unknown": "1"},
    ],
)
def test_bad_parameters_are_422(kb, params):
    response = get(params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] in {"validation_error", "unknown_fields"} and body["message"]


def test_unknown_brand_is_404_with_a_stable_code(kb):
    response = get({"q": "配送", "brand": "no-such-shop"})
    assert response.status_code == 404
    assert response.json()["code"] == "brand_not_found"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_rate_limited_per_client(kb, settings):
    settings.KB_SEARCH_RATE_LIMIT_PER_MINUTE = 2
    for _ in range(2):
        assert get({"q": "配送", "brand": "no-such-shop"}).status_code == 404
    response = get({"q": "配送", "brand": "no-such-shop"})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response["Access-Control-Allow-Origin"] == "*"
    other = Client(REMOTE_ADDR="192.0.2.7").get(URL, {"q": "配送", "brand": "no-such-shop"})
    assert other.status_code == 404  # another client has its own budget


def test_public_without_token_and_in_the_openapi_document(db):
    spec = Client().get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/kb/search"]["get"]
    assert operation.get("security") in (None, [], [{}])
    params = {p["name"] for p in operation["parameters"]}
    assert params == {"q", "limit", "brand", "language", "session", "source"}
    assert {"404", "422", "429"} <= set(operation["responses"])
