"""Writing articles: validation, versions, audit, permissions, vector refresh, categories."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest
from django.utils import translation

from madoguchi.accounts.models import AuditEntry, Brand
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from madoguchi.knowledge import actions
from madoguchi.knowledge.actions.access import readable_articles
from madoguchi.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
    Category,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read messages in English; the compiled catalogue would answer in Japanese."""
    with translation.override("en"):
        yield


@pytest.fixture
def lead(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("lead", "主任 花子")


@pytest.fixture
def queued(monkeypatch):  # type: ignore[no-untyped-def]
    """Stands in for madoguchi.knowledge.tasks: records the translation ids queued."""
    ids: list[int] = []
    fake = SimpleNamespace(refresh_article_vectors=SimpleNamespace(enqueue=ids.append))
    monkeypatch.setitem(sys.modules, "madoguchi.knowledge.tasks", fake)
    return ids


def _create(lead, brand, **extra):  # type: ignore[no-untyped-def]
    values = {
        "brand_id": brand.pk,
        "language": "ja",
        "title": "ご注文のキャンセル方法",
        "body": "マイページの **注文履歴** から",
        "phrasings": ["注文を取り消したい", " 注文を取り消したい ", "", "買うのをやめたい"],
    }
    values.update(extra)
    return actions.do_create_article(lead, **values)


def test_create_writes_version_one_audit_and_queues_vectors(
    lead, brand, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = _create(lead, brand, tags=["注文", "注文", "キャンセル"])
    translation = ArticleTranslation.objects.get(article=article)
    assert translation.phrasings == ["注文を取り消したい", "買うのをやめたい"]
    assert article.status == ArticleStatus.DRAFT and article.tags == ["注文", "キャンセル"]
    version = ArticleVersion.objects.get(translation=translation)
    assert (version.number, version.author, version.title) == (1, lead, translation.title)
    assert queued == [translation.pk]
    entry = AuditEntry.objects.get(action="kb.article.create")
    assert entry.actor == lead and entry.target_id == str(article.pk)


def test_update_adds_versions_only_on_change(
    lead, brand, queued, django_capture_on_commit_callbacks
):
    article = _create(lead, brand)
    base = {
        "language": "ja",
        "title": "ご注文のキャンセル方法",
        "body": "マイページの **注文履歴** から",
        "phrasings": ["注文を取り消したい", "買うのをやめたい"],
        "category_id": None,
        "status": "draft",
        "internal": False,
        "tags": [],
        "related_ids": [],
    }
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_translation(lead, article.pk, **base)  # nothing changed
    assert ArticleVersion.objects.count() == 1 and queued == []
    assert not AuditEntry.objects.filter(action="kb.article.update").exists()

    with django_capture_on_commit_callbacks(execute=True):
        t = actions.do_update_translation(lead, article.pk, **{**base, "body": "新しい本文"})
    assert [v.number for v in t.versions.all()] == [2, 1]
    assert t.versions.first().body == "新しい本文"
    assert queued == [t.pk]
    entry = AuditEntry.objects.get(action="kb.article.update")
    assert entry.data["changes"]["body"] == [
        len("マイページの **注文履歴** から"),
        len("新しい本文"),
    ]

    # A new language is a new translation with its own history.
    en = actions.do_update_translation(
        lead, article.pk, **{**base, "language": "en", "title": "Cancelling an order"}
    )
    assert en.language == "en" and [v.number for v in en.versions.all()] == [1]
    assert article.translations.count() == 2


def test_publish_unpublish_and_restore(lead, brand):
    article = _create(lead, brand)
    actions.do_publish(lead, article.pk)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    t = article.translations.get()
    assert [(v.number, v.status) for v in t.versions.all()] == [(2, "published"), (1, "draft")]
    actions.do_publish(lead, article.pk)  # already published: no new version
    assert t.versions.count() == 2

    fields = {
        "language": "ja",
        "title": "変更後",
        "body": "変更後の本文",
        "phrasings": [],
        "category_id": None,
        "status": "published",
        "internal": False,
        "tags": [],
        "related_ids": [],
    }
    actions.do_update_translation(lead, article.pk, **fields)
    first = t.versions.get(number=1)
    actions.do_restore_version(lead, article.pk, first.pk)
    t.refresh_from_db()
    assert (t.title, t.body, t.phrasings) == (
        "ご注文のキャンセル方法",
        "マイページの **注文履歴** から",
        ["注文を取り消したい", "買うのをやめたい"],
    )
    assert t.versions.first().number == 4  # history kept, restore appended
    actions.do_unpublish(lead, article.pk)
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"kb.article.status", "kb.article.restore"} <= actions_logged


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "   ", "title_required"),
        ("title", "あ" * 251, "title_too_long"),
        ("body", "x" * 100_001, "body_too_long"),
        ("phrasings", [f"言い方{i}" for i in range(31)], "too_many_phrasings"),
        ("phrasings", ["長" * 201], "phrasing_too_long"),
        ("language", "fr", "invalid_language"),
        ("status", "archived", "invalid_status"),
        ("category_id", 999999, "invalid_category"),
        ("related_ids", [999999], "invalid_related"),
        ("tags", [f"t{i}" for i in range(21)], "too_many_tags"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(lead, brand, field, value, code):
    with pytest.raises(ValidationFailed) as refused:
        _create(lead, brand, **{field: value})
    assert refused.value.code == code
    assert refused.value.details["field"] in (field, field.removesuffix("_id").removesuffix("_ids"))
    assert not Article.objects.exists() and not ArticleVersion.objects.exists()
    assert not AuditEntry.objects.exists()


def test_category_and_related_must_be_of_the_same_brand(lead, brand):
    other = Brand.objects.create(name="別の店", slug="other-shop")
    foreign = Category.objects.create(brand=other, slug="x", names={"ja": "他店"})
    with pytest.raises(ValidationFailed, match="category"):
        _create(lead, brand, category_id=foreign.pk)
    elsewhere = _create(lead, other)
    with pytest.raises(ValidationFailed) as refused:
        _create(lead, brand, related_ids=[elsewhere.pk])
    assert refused.value.code == "invalid_related"
    mine = _create(lead, brand, external_id="faq-1")
    article = _create(lead, brand, related_ids=[mine.pk])
    assert list(article.related.all()) == [mine]
    with pytest.raises(ValidationFailed) as refused:
        _create(lead, brand, external_id="faq-1")
    assert refused.value.code == "external_id_taken"


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_only_leads_and_admins_write(make_agent, lead, brand, role):
    article = _create(lead, brand)
    someone = make_agent(role)
    with pytest.raises(Forbidden):
        _create(someone, brand)
    with pytest.raises(Forbidden):
        actions.do_publish(someone, article.pk)
    with pytest.raises(Forbidden):
        actions.do_delete_article(someone, article.pk)
    with pytest.raises(Forbidden):
        actions.do_create_category(someone, brand_id=brand.pk, names={"ja": "配送"})
    assert Article.objects.count() == 1


def test_readers_see_published_articles_of_their_brands(make_agent, lead, brand, inboxes):
    draft = _create(lead, brand, title="下書き")
    public = _create(lead, brand, title="公開", status="published")
    manual = _create(lead, brand, title="手順書", status="published", internal=True)
    other = Brand.objects.create(name="別の店", slug="other-shop")
    foreign = _create(lead, other, title="他店", status="published")
    agent = make_agent("agent")
    assert set(readable_articles(agent)) == {public, manual, foreign}
    assert set(readable_articles(lead)) == {draft, public, manual, foreign}
    outsider = make_agent("outsourced")
    assert not readable_articles(outsider).exists()
    outsider.granted_inboxes.set([inboxes["email"]])
    assert set(readable_articles(outsider)) == {public, manual}
    assert draft.pk  # drafts stay with the editors


def test_delete_translation_and_article(lead, brand):
    article = _create(lead, brand)
    with pytest.raises(Conflict):
        actions.do_delete_translation(lead, article.pk, "ja")
    with pytest.raises(NotFound):
        actions.do_delete_translation(lead, article.pk, "en")
    fields = {
        "title": "Cancel",
        "body": "",
        "phrasings": [],
        "category_id": None,
        "status": "draft",
        "internal": False,
        "tags": [],
        "related_ids": [],
    }
    actions.do_update_translation(lead, article.pk, language="en", **fields)
    actions.do_delete_translation(lead, article.pk, "en")
    assert list(article.translations.values_list("language", flat=True)) == ["ja"]
    actions.do_delete_article(lead, article.pk)
    assert not Article.objects.exists() and not ArticleVersion.objects.exists()
    entry = AuditEntry.objects.get(action="kb.article.delete")
    assert entry.data["titles"] == {"ja": "ご注文のキャンセル方法"}


def test_categories_sections_slugs_and_safe_delete(lead, brand):
    shipping = actions.do_create_category(lead, brand_id=brand.pk, names={"ja": "配送について"})
    assert shipping.slug.startswith("c-") and len(shipping.slug) == 10
    again = actions.do_create_category(lead, brand_id=brand.pk, names={"ja": "配送について"})
    assert again.slug == shipping.slug + "-2"
    english = actions.do_create_category(
        lead, brand_id=brand.pk, names={"ja": "お支払い", "en": "Payment"}
    )
    assert english.slug == "payment"
    section = actions.do_create_category(
        lead, brand_id=brand.pk, names={"en": "Tracking"}, parent_id=shipping.pk
    )
    with pytest.raises(ValidationFailed) as refused:
        actions.do_create_category(
            lead, brand_id=brand.pk, names={"en": "Too deep"}, parent_id=section.pk
        )
    assert refused.value.code == "parent_is_section"
    with pytest.raises(ValidationFailed) as refused:
        actions.do_update_category(
            lead, shipping.pk, names={"ja": "配送"}, slug="", parent_id=english.pk, position=0
        )
    assert refused.value.code == "has_sections"
    with pytest.raises(ValidationFailed) as refused:
        actions.do_create_category(lead, brand_id=brand.pk, names={"ja": " ", "en": ""})
    assert refused.value.code == "name_required"
    with pytest.raises(ValidationFailed) as refused:
        actions.do_update_category(
            lead, english.pk, names={"en": "Payment"}, slug="Bad Slug", parent_id=None, position=1
        )
    assert refused.value.code == "invalid_slug"
    _create(lead, brand, category_id=section.pk)
    with pytest.raises(Conflict):
        actions.do_delete_category(lead, shipping.pk)  # has a section
    with pytest.raises(Conflict):
        actions.do_delete_category(lead, section.pk)  # has an article
    actions.do_delete_category(lead, english.pk)
    assert not Category.objects.filter(pk=english.pk).exists()
    logged = list(
        AuditEntry.objects.filter(action__startswith="kb.category").values_list("action", flat=True)
    )
    assert logged.count("kb.category.create") == 4 and "kb.category.delete" in logged


def test_vector_refresh_is_skipped_while_the_task_module_is_absent(
    lead, brand, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(sys.modules, "madoguchi.knowledge.tasks", None)  # import fails
    with django_capture_on_commit_callbacks(execute=True):
        article = _create(lead, brand)
    assert article.translations.count() == 1
