"""The editable synonym list: validation, scopes, audit, and search picking changes up."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from madoguchi.accounts.models import AuditEntry, Brand
from madoguchi.core.errors import Forbidden, NotFound, ValidationFailed
from madoguchi.knowledge import actions
from madoguchi.knowledge.actions import synonyms
from madoguchi.knowledge.engine import store
from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, use_embedder
from madoguchi.knowledge.models import Article, Synonym
from madoguchi.knowledge.search import search_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("lead", "主任 花子")


@pytest.fixture
def keyword_only() -> Iterator[None]:
    previous = use_embedder(UnavailableEmbedder())
    store.forget(everything=True)
    yield
    use_embedder(previous)
    store.forget(everything=True)


def test_create_cleans_terms_and_audits(lead, brand):
    row = synonyms.do_create_synonym(
        lead,
        brand_id=brand.pk,
        terms=[
            "  定期便 ",
            "ｻﾌﾞｽｸ",
            "サブスク",
            "さぶすく",
            "",
            "ＳＵＢＳＣＲＩＰＴＩＯＮ",
            "subscription",
        ],
    )
    # NFKC (half-width kana, full-width Latin); one term per folded form, first kept
    assert row.terms == ["定期便", "サブスク", "SUBSCRIPTION"]
    assert row.brand_id == brand.pk
    entry = AuditEntry.objects.get(action="kb.synonym.create")
    assert entry.actor == lead and entry.data == {"brand": brand.pk, "terms": row.terms}


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (["定期便"], "too_few_terms"),
        (["サブスク", "さぶすく", "ｻﾌﾞｽｸ"], "too_few_terms"),
        ([f"言葉{i}" for i in range(21)], "too_many_terms"),
        (["定期便", "あ" * 41], "term_too_long"),
        (["定期便", "便"], "term_too_short"),
        (
            ["キャンセル", "取り消し", "取消し", "取消", "取りやめ", "取り止め", "cancel"],
            "duplicate_group",
        ),
    ],
)
def test_bad_groups_are_refused_and_nothing_is_written(lead, brand, terms, code):
    with pytest.raises(ValidationFailed) as caught:
        synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=terms)
    assert caught.value.code == code and caught.value.details == {"field": "terms"}
    assert not Synonym.objects.exists() and not AuditEntry.objects.exists()


def test_a_group_identical_to_one_in_scope_is_refused(lead, admin, brand):
    synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=["定期便", "サブスク"])
    with pytest.raises(ValidationFailed) as caught:
        synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=["さぶすく", "定期便"])
    assert caught.value.code == "duplicate_group"
    synonyms.do_create_synonym(admin, brand_id=None, terms=["福袋", "ラッキーバッグ"])
    with pytest.raises(ValidationFailed):
        synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=["ラッキーバッグ", "福袋"])
    # another brand may have the same group as this one
    other = Brand.objects.create(name="別店", slug="other-shop")
    synonyms.do_create_synonym(lead, brand_id=other.pk, terms=["定期便", "サブスク"])
    assert Synonym.objects.count() == 3


def test_global_groups_are_for_admins(lead, admin, brand):
    with pytest.raises(Forbidden):
        synonyms.do_create_synonym(lead, brand_id=None, terms=["福袋", "ラッキーバッグ"])
    row = synonyms.do_create_synonym(admin, brand_id=None, terms=["福袋", "ラッキーバッグ"])
    assert row.brand_id is None
    with pytest.raises(Forbidden):
        synonyms.do_update_synonym(lead, row.pk, terms=["福袋", "ハッピーバッグ"])
    with pytest.raises(Forbidden):
        synonyms.do_delete_synonym(lead, row.pk)
    synonyms.do_update_synonym(admin, row.pk, terms=["福袋", "ハッピーバッグ"])
    row.refresh_from_db()
    assert row.terms == ["福袋", "ハッピーバッグ"]


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_only_editors_change_synonyms(make_agent, lead, brand, role):
    row = synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=["定期便", "サブスク"])
    other = make_agent(role)
    with pytest.raises(Forbidden):
        synonyms.do_create_synonym(other, brand_id=brand.pk, terms=["福袋", "ラッキーバッグ"])
    with pytest.raises(Forbidden):
        synonyms.do_update_synonym(other, row.pk, terms=["定期便", "定期購入"])
    with pytest.raises(Forbidden):
        synonyms.do_delete_synonym(other, row.pk)
    assert synonyms.groups_visible(other).count() == 0


def test_update_and_delete_are_audited(lead, brand):
    row = synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=["定期便", "サブスク"])
    synonyms.do_update_synonym(lead, row.pk, terms=["定期便", "サブスク", "定期購入"])
    same = synonyms.do_update_synonym(lead, row.pk, terms=["定期便", "サブスク", "定期購入"])
    assert same.terms == ["定期便", "サブスク", "定期購入"]
    assert AuditEntry.objects.filter(action="kb.synonym.update").count() == 1
    assert AuditEntry.objects.get(action="kb.synonym.update").data["terms"] == [
        ["定期便", "サブスク"],
        ["定期便", "サブスク", "定期購入"],
    ]
    with pytest.raises(ValidationFailed):
        synonyms.do_update_synonym(lead, row.pk, terms=["定期便"])
    synonyms.do_delete_synonym(lead, row.pk)
    assert not Synonym.objects.exists()
    assert AuditEntry.objects.get(action="kb.synonym.delete").data["terms"][0] == "定期便"
    with pytest.raises(NotFound):
        synonyms.do_delete_synonym(lead, row.pk)
    with pytest.raises(NotFound):
        synonyms.do_create_synonym(lead, brand_id=999_999, terms=["定期便", "サブスク"])


def test_split_terms_from_a_form():
    assert synonyms.split_terms("定期便 = サブスク\r\n定期購入、頒布会,subscription＝ 定期") == [
        "定期便 ",
        " サブスク",
        "定期購入",
        "頒布会",
        "subscription",
        " 定期",
    ]


def test_search_finds_an_article_through_a_new_synonym(lead, brand, keyword_only):
    subscription = actions.do_create_article(
        lead,
        brand_id=brand.pk,
        language="ja",
        title="定期便の解約方法",
        body="マイページの定期便一覧から次回のお届けを止められます。",
        status="published",
    )
    actions.do_create_article(
        lead,
        brand_id=brand.pk,
        language="ja",
        title="送料について",
        body="全国一律で、5,000円以上のご注文は無料です。",
        status="published",
    )

    # The common-questions bank would answer this without any synonym.
    Article.objects.filter(brand=brand).update(common_questions=False)

    def top(query: str) -> list[int]:
        return [h.article_id for h in search_articles(brand_id=brand.pk, query=query).hits][:1]

    assert top("ｻﾌﾞｽｸやめたい") != [subscription.pk]
    before = store.version(brand.pk)
    row = synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=["定期便", "サブスク"])
    assert store.version(brand.pk) != before  # the index notices at its next freshness check
    assert top("ｻﾌﾞｽｸやめたい") == [subscription.pk]
    synonyms.do_delete_synonym(lead, row.pk)
    assert top("ｻﾌﾞｽｸやめたい") != [subscription.pk]


def test_search_outside_a_transaction_sees_the_change_within_the_refresh(
    transactional_db, lead, brand, keyword_only, monkeypatch
):
    monkeypatch.setattr(store, "CHECK_SECONDS", 0.05)
    subscription = actions.do_create_article(
        lead,
        brand_id=brand.pk,
        language="ja",
        title="定期便の解約方法",
        body="次回のお届けを止められます。",
        status="published",
    )
    query = "サブスク解約"
    search_articles(brand_id=brand.pk, query=query)  # builds and caches the index
    synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=["定期便", "サブスク"])
    time.sleep(0.1)
    hits = search_articles(brand_id=brand.pk, query=query).hits
    assert hits[0].article_id == subscription.pk
    assert any(e.terms and "サブスク" in e.terms for e in synonyms.expand(brand.pk, query))


def test_expand_shows_how_a_question_reads(lead, brand):
    expansions = synonyms.expand(brand.pk, "代引きを取り消したい")
    groups = [set(e.terms) for e in expansions]
    assert any({"代金引換", "代引き"} <= g for g in groups)
    assert any({"キャンセル", "取り消し"} <= g for g in groups)
    matched = [m for e in expansions for m in e.matched]
    assert "代引き" in matched and "取り消し" in matched
    assert synonyms.expand(brand.pk, "こんにちは") == []
    synonyms.do_create_synonym(lead, brand_id=brand.pk, terms=["定期便", "サブスク"])
    (only,) = synonyms.expand(brand.pk, "さぶすく")  # hiragana for the katakana term
    assert set(only.terms) == {"サブスク", "定期便"} and only.matched == ["サブスク"]
