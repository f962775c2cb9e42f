"""Rebuilding a brand's index after an edit: only changed texts go through Sudachi again,
and the postings built from reused analyses rank exactly as a fresh build does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest

from madoguchi.accounts.models import Brand
from madoguchi.knowledge.engine import index as index_module
from madoguchi.knowledge.engine import store
from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, use_embedder
from madoguchi.knowledge.engine.index import ArticleIndex, Doc
from madoguchi.knowledge.engine.lexical import BODY, TITLE, VOCABULARY, LexicalIndex, Unit
from madoguchi.knowledge.engine.synonyms import compile_groups
from madoguchi.knowledge.engine.text import analyse
from madoguchi.knowledge.models import Article, ArticleTranslation

from .test_engine import ARTICLES

QUERIES = ["ｷｬﾝｾﾙしたい", "こうにゅうりれき", "引越しします", "ふざいで受け取れなかった", "身幅"]


def docs(**changes: str) -> list[Doc]:
    out = []
    for i, (ext, title, phrasings, body) in enumerate(ARTICLES):
        out.append(Doc(i + 1, i + 1, ext, "ja", title, list(phrasings), changes.get(ext, body)))
    return out


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the index hands to Sudachi's analysis."""
    seen: list[str] = []

    def counting(text: str, synonyms: object = None) -> Counter[str]:
        seen.append(text)
        return analyse(text, synonyms)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module, "analyse", counting)
    return seen


def ranking(index: ArticleIndex) -> list[list[tuple[str, float]]]:
    return [[(h.external_id, h.score) for h in index.search(q, None, limit=7)[0]] for q in QUERIES]


def test_a_rebuild_analyses_only_what_changed_and_ranks_like_a_fresh_build(counted) -> None:
    synonyms = compile_groups()
    first = ArticleIndex(docs(), synonyms)
    texts = sum(1 + len(p) + 1 for _e, _t, p, _b in ARTICLES)  # title, phrasings, body
    assert len(counted) == texts
    counted.clear()
    edited = docs(**{"faq-cod": "代金引換の手数料は440円に変わりました。"})
    again = ArticleIndex(edited, synonyms, previous=first)
    assert counted == ["代金引換の手数料は440円に変わりました。"]
    fresh = ArticleIndex(edited, synonyms)
    assert ranking(again) == ranking(fresh)
    assert ranking(again)[0][0][0] == "faq-cancel"
    # the old body is no longer kept for the next build
    assert "代金引換の手数料は330円です。配達員に現金でお支払いください。" not in again.analysed


def test_other_synonyms_mean_analysing_everything_again(counted) -> None:
    first = ArticleIndex(docs(), compile_groups())
    counted.clear()
    ArticleIndex(docs(), compile_groups([["身幅", "幅"]]), previous=first)
    assert len(counted) == sum(1 + len(p) + 1 for _e, _t, p, _b in ARTICLES)


def test_postings_from_counters_and_from_encoded_features_are_the_same() -> None:
    texts = [
        (TITLE, "ご注文のキャンセル方法"),
        (BODY, "発送前ならキャンセルできます。キャンセル料は無料。"),
    ]
    counters = [Unit(n, kind, analyse(text)) for n, (kind, text) in enumerate(texts)]
    encoded = [Unit(u.doc, u.kind, VOCABULARY.encode(u.features)) for u in counters]  # type: ignore[arg-type]
    a, b = LexicalIndex(counters, 2), LexicalIndex(encoded, 2)
    query = analyse("キャンセルしたい")
    (sa, ua), (sb, ub) = a.score(query), b.score(query)
    assert sa.tolist() == sb.tolist() and ua.tolist() == ub.tolist() and sa[0] > 0 and sa[1] > 0
    assert a.words == b.words and "w:キャンセル" in a.words
    assert a.posting("w:存在しない語") is None
    # BM25: a term repeated in a longer unit still weighs by its saturation, idf > 0
    units, weights = a.posting("w:キャンセル")  # type: ignore[misc]
    assert units.tolist() == [0, 1] and np.all(weights > 0)


@pytest.fixture
def keyword_only() -> Iterator[None]:
    previous = use_embedder(UnavailableEmbedder())
    yield
    use_embedder(previous)


@pytest.mark.django_db
def test_the_store_hands_the_previous_index_to_the_rebuild(counted, keyword_only) -> None:
    brand = Brand.objects.create(slug="reuse", name="再利用店")
    for n, (ext, title, phrasings, body) in enumerate(ARTICLES):
        article = Article.objects.create(
            brand=brand, external_id=ext, status="published", position=n
        )
        ArticleTranslation.objects.create(
            article=article, language="ja", title=title, body=body, phrasings=phrasings
        )
    store.forget(everything=True)
    first = store.get_index(brand.pk)
    counted.clear()
    translation = ArticleTranslation.objects.get(article__external_id="faq-login")
    translation.title = "ログインできないとき"
    translation.save()
    again = store.get_index(brand.pk)
    assert again is not first
    assert counted == ["ログインできないとき"]
    assert again.search("ログインできない", None)[0][0].external_id == "faq-login"
