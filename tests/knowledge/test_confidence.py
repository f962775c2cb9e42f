"""When does a search result count as the answer (analytics, gap report, reply box)?"""

from __future__ import annotations

import pytest

from madoguchi.knowledge.confidence import FLOOR_EN, FLOOR_JA, SHORT_EXTRA, answers, floor_for
from madoguchi.knowledge.hits import ArticleHit
from madoguchi.knowledge.models import SearchLog, SearchSource
from madoguchi.knowledge.search_log import record_search

LONG_JA = (
    "先週注文した商品がまだ届いていないのですが、いまどこにあるのか確認する方法を教えてください"
)


def hit(similarity: float | None, matched: str = "body") -> ArticleHit:
    return ArticleHit(
        article_id=1, translation_id=1, external_id="", language="ja", title="配送状況の確認",
        snippet="", score=1.0, matched=matched, similarity=similarity,
    )  # fmt: skip


def test_nothing_found_is_never_an_answer():
    assert answers("返品したい", None) is False


def test_the_floor_follows_language_and_length():
    assert floor_for(LONG_JA) == FLOOR_JA
    assert floor_for("荷物いまどこ") == pytest.approx(FLOOR_JA + SHORT_EXTRA)
    assert floor_for("where is my parcel") == pytest.approx(FLOOR_EN + SHORT_EXTRA)
    assert answers(LONG_JA, hit(FLOOR_JA)) and not answers(LONG_JA, hit(FLOOR_JA - 0.001))
    assert not answers("荷物いまどこ", hit(FLOOR_JA))  # short text needs a little more
    assert answers("where is my parcel", hit(FLOOR_EN + SHORT_EXTRA))


def test_keyword_only_counts_title_and_phrasing_matches():
    assert answers("配送状況", hit(None, "title"))
    assert answers("荷物いまどこ", hit(None, "phrasing"))
    assert not answers("配送", hit(None, "body"))


@pytest.mark.django_db
def test_the_log_keeps_whether_the_search_was_answered(brand):
    def log(answered: bool | None, shown: list[int]) -> SearchLog:
        row = record_search(
            brand_id=brand.pk, source=SearchSource.API, query="ギフト券", shown=shown,
            answered=answered,
        )  # fmt: skip
        assert row is not None
        return row

    assert log(False, [1, 2]).answered is False  # found something, not the answer
    assert log(True, [1]).answered is True
    assert log(None, [1]).answered is True  # caller did not judge: a result counts
    assert log(True, []).answered is False  # nothing shown is never answered
