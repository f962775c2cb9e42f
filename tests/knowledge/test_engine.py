"""The engine's lexical half and fusion on plain documents (no database, no model):
customers' spelling must not matter, phrasings count, the typed prefix is enough."""

from __future__ import annotations

import numpy as np
import pytest

from madoguchi.knowledge.engine.fusion import FusionWeights, fuse
from madoguchi.knowledge.engine.index import ArticleIndex, Doc, _best_first, snippet
from madoguchi.knowledge.engine.synonyms import compile_groups
from madoguchi.knowledge.engine.text import analyse, fold, passages, plain_text

ARTICLES = [
    (
        "faq-cancel",
        "ご注文のキャンセル方法",
        ["買うのをやめたい"],
        "発送準備に入る前であればマイページの注文履歴からキャンセルできます。",
    ),
    (
        "faq-history",
        "購入履歴の確認方法",
        ["前に買ったものを見たい"],
        "ログイン後、マイページの購入履歴に表示されます。",
    ),
    (
        "faq-cod",
        "代金引換について",
        ["届いたときに払いたい"],
        "代金引換の手数料は330円です。配達員に現金でお支払いください。",
    ),
    (
        "faq-login",
        "ログインできない場合",
        ["サインインできない"],
        "パスワードをお忘れの場合は再設定してください。",
    ),
    (
        "faq-move",
        "引っ越しでお届け先を変えたい",
        ["住所が変わった"],
        "発送前であればお届け先を変更できます。",
    ),
    (
        "faq-shirt",
        "Tシャツのサイズ表",
        ["身幅を知りたい"],
        "各サイズの着丈と身幅を掲載しています。",
    ),
    (
        "faq-redeliver",
        "再配達の依頼",
        ["不在で受け取れなかった"],
        "不在票に記載の連絡先から再配達をご依頼ください。",
    ),
]


def make_index(extra_synonyms: list[list[str]] | None = None, **overrides: object) -> ArticleIndex:
    docs = [
        Doc(
            translation_id=i + 1,
            article_id=i + 1,
            external_id=ext,
            language="ja",
            title=title,
            phrasings=phrasings,
            body=body,
        )
        for i, (ext, title, phrasings, body) in enumerate(ARTICLES)
    ]
    for key, value in overrides.items():
        setattr(docs[0], key, value)
    return ArticleIndex(docs, compile_groups(extra_synonyms or []))


def top(index: ArticleIndex, query: str, **kwargs: object) -> str | None:
    hits, degraded = index.search(query, None, **kwargs)  # type: ignore[arg-type]
    assert degraded  # no query vector: keyword-only, and it says so
    return hits[0].external_id if hits else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ｷｬﾝｾﾙしたい", "faq-cancel"),  # half-width katakana
        ("きゃんせるしたい", "faq-cancel"),  # hiragana for katakana
        ("こうにゅうりれき", "faq-history"),  # kana for kanji (Sudachi reading)
        ("ＴシャツのＳＩＺＥ", "faq-shirt"),  # full-width Latin
        ("引越しします", "faq-move"),  # okurigana variant (normalised form)
        ("さいはいたつ", "faq-redeliver"),
    ],
)
def test_spelling_variants_find_the_same_article(query: str, expected: str) -> None:
    assert top(make_index(), query) == expected


def test_a_typo_still_finds_the_article() -> None:
    assert top(make_index(), "こうにゅう履歴をかくにんしたい") == "faq-history"
    assert top(make_index(), "再配逹して") == "faq-redeliver"  # 逹 for 達


def test_the_prefix_of_a_word_being_typed_is_enough() -> None:
    index = make_index()
    assert top(index, "再配") == "faq-redeliver"
    assert top(index, "ログイ") == "faq-login"
    assert index.lexical.expand_prefix("ログイ") == ["w:ログイン"]
    assert index.lexical.expand_prefix("ログイ ") == []  # a finished word is not a prefix


def test_default_synonyms_join_customer_words_and_shop_words() -> None:
    index = make_index()
    assert top(index, "注文を取り消ししたい") == "faq-cancel"  # 取り消し = キャンセル
    assert top(index, "代引きの手数料") == "faq-cod"  # 代引き = 代金引換
    assert top(index, "サインイン") == "faq-login"


def test_added_synonym_groups_are_used_and_merge_with_defaults() -> None:
    assert top(make_index(), "胸囲") != "faq-shirt"
    index = make_index([["胸囲", "身幅"], ["着払い", "代金引換"]])
    assert top(index, "胸囲") == "faq-shirt"
    groups = index.synonyms
    # shares 代金引換 with the default group, so 代引き joins it too
    assert groups.groups_in(fold("着払い")) == groups.groups_in(fold("代引き"))
    assert groups.groups_in(fold("着払い")) != groups.groups_in(fold("身幅"))


def test_a_phrasing_alone_is_enough() -> None:
    index = make_index()
    hits, _ = index.search("身幅を知りたい", None)
    assert hits[0].external_id == "faq-shirt"
    hits, _ = index.search("住所が変わった", None)
    assert hits[0].external_id == "faq-move"
    assert hits[0].matched == "phrasing"


def test_drafts_and_internal_articles_are_filtered_unless_asked() -> None:
    index = make_index(published=False)
    assert top(index, "キャンセル") != "faq-cancel"
    assert top(index, "キャンセル", include_drafts=True) == "faq-cancel"
    index = make_index(internal=True)
    assert top(index, "キャンセル") != "faq-cancel"
    assert top(index, "キャンセル", include_internal=True) == "faq-cancel"


def test_nothing_matching_returns_nothing_in_keyword_mode() -> None:
    hits, degraded = make_index().search("zzzz qqqq", None)
    assert hits == [] and degraded


def test_semantic_half_reorders_when_vectors_exist() -> None:
    """Vectors are made up here only to check the plumbing: the article whose rows point at
    the query direction wins when the lexical half has nothing to say."""
    dim = 8
    rng = np.random.default_rng(1)
    docs = []
    for i, (ext, title, phrasings, body) in enumerate(ARTICLES):
        rows = rng.normal(size=(1 + len(phrasings) + 1, dim)).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        docs.append(
            Doc(i + 1, i + 1, ext, "ja", title, phrasings, body, vectors=rows, question_rows=2)
        )
    index = ArticleIndex(docs, compile_groups())
    target = docs[4].vectors[1]  # type: ignore[index]
    hits, degraded = index.search("まったく関係ない言葉", target)
    assert not degraded
    assert hits[0].external_id == "faq-move"


def test_fusion_without_semantic_is_normalised_lexical() -> None:
    lex = np.array([2.0, 1.0, 0.0], dtype=np.float32)
    assert list(fuse(lex, None)) == [1.0, 0.5, 0.0]
    sem = np.array([0.80, 0.90, 0.50], dtype=np.float32)
    fused = fuse(lex, sem, FusionWeights(lexical=0.5, semantic=0.5, semantic_scale=0.2))
    assert fused[0] > fused[2] and fused[1] > fused[2]


def test_analysis_forms() -> None:
    assert analyse("ｷｬﾝｾﾙ") == analyse("キャンセル")
    assert "w:refund" in analyse("Refunds")
    assert plain_text("**太字** と [リンク](https://x.test)\n\n- 項目") == "太字 と リンク\n項目"
    parts = passages("あ。" * 300)
    assert len(parts) > 1 and all(len(p) <= 400 for p in parts)
    long_body = "前置き。" * 60 + "返品は到着後7日以内です。" + "後書き。" * 60
    cut = snippet(long_body, "返品したい")
    assert "返品" in cut and len(cut) <= 162


PAYMENT_ARTICLES = [
    (
        "faq-amazon",
        "Amazon Payについて",
        "Amazonアカウントに登録済みの住所とお支払い方法が使えます。",
    ),
    ("faq-paypay", "PayPayについて", "PayPay残高でお支払いいただけます。"),
    ("faq-card", "クレジットカード決済について", "VISA、Mastercard、JCBがご利用いただけます。"),
    ("faq-konbini", "コンビニ払いについて", "ご注文後に届く払込票番号でお支払いください。"),
]


def payment_index() -> ArticleIndex:
    docs = [
        Doc(i + 1, i + 1, ext, "ja", title, [], body)
        for i, (ext, title, body) in enumerate(PAYMENT_ARTICLES)
    ]
    return ArticleIndex(docs, compile_groups())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("あまぞんぺいで払いたい", "faq-amazon"),
        ("ぺいぺい", "faq-paypay"),
        ("アマゾンペイ", "faq-amazon"),
        ("ビザのカード", "faq-card"),
    ],
)
def test_latin_names_typed_in_kana_find_their_article(query: str, expected: str) -> None:
    """Customers type brand names the way they say them; Sudachi's reading of the Latin
    spelling (PayPay → ペイペイ) is what joins the two."""
    assert top(payment_index(), query) == expected


def test_latin_words_carry_their_katakana_reading() -> None:
    features = analyse("PayPay")
    assert "g:ペイ" in features and "w:paypay" in features
    assert "g:ペイ" not in analyse("paper")  # an unknown word gets no invented reading


def test_colloquial_filler_does_not_outweigh_the_words_that_matter() -> None:
    """Long, polite or chatty questions carry one or two words of intent; the rest
    (教えて, どうすれば, んですけど, ですか) must not pull another article up."""
    index = make_index()
    chatty = (
        "すみません、ちょっと教えてほしいんですけど、注文をとりけしたいんですがどうすればいいですか"
    )
    assert top(index, chatty) == "faq-cancel"
    assert top(index, "前に買ったやつ見たいんだけど、どこで見れますか？") == "faq-history"
    assert top(index, "家にいなくて受け取れなかったんですけど、どうしたらいいですか") == (
        "faq-redeliver"
    )


@pytest.mark.parametrize("likely", [1, 3, 10, 500])
def test_best_first_is_a_stable_descending_order_without_a_full_sort(likely: int) -> None:
    """The partial ordering used for large indexes must give exactly the full sort's order,
    ties included, however far the caller reads."""
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 20, size=400).astype(np.float32) / 4  # many ties
    expected = [int(p) for p in np.argsort(-scores, kind="stable")]
    assert list(_best_first(scores, likely)) == expected
