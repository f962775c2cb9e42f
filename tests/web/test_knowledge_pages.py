"""Console pages of the help-center editor: list, editor, preview, history, categories."""

from __future__ import annotations

import html
import re

import pytest

from madoguchi.accounts.models import AuditEntry, Brand
from madoguchi.knowledge import actions
from madoguchi.knowledge.models import Article, ArticleTranslation, ArticleVersion, Category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_search_index():  # type: ignore[no-untyped-def]
    """The search engine caches each brand's index for a second; ids repeat across tests."""
    store = pytest.importorskip("madoguchi.knowledge.engine.store")
    store.forget(everything=True)
    yield
    store.forget(everything=True)


FORM = {
    "title": "ご注文のキャンセル方法",
    "body": "マイページの **注文履歴** から\n\n![手順](https://shop.test/cancel.png)",
    "phrasings": "注文を取り消したい\n\n買うのをやめたい\n",
    "category": "",
    "status": "draft",
    "tags": "注文、キャンセル",
}


@pytest.fixture
def lead(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("lead", "主任 花子")


def _article(lead, brand, **extra):  # type: ignore[no-untyped-def]
    values = {"brand_id": brand.pk, "language": "ja", "title": "配送状況の確認", "body": "追跡番号"}
    values.update(extra)
    return actions.do_create_article(lead, **values)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_render_for_an_editor(login, lead, brand, language):
    article = _article(lead, brand, status="published")
    client = login(lead, language)
    listing = client.get("/knowledge/")
    assert listing.status_code == 200 and "配送状況の確認" in listing.text
    assert client.get(f"/knowledge/new/?brand={brand.pk}").status_code == 200
    # the FAQ-gap report links here with the topic as the title
    prefilled = client.get(f"/knowledge/new/?brand={brand.pk}&title=ギフト券は使えますか")
    assert 'value="ギフト券は使えますか"' in prefilled.content.decode()
    page = client.get(f"/knowledge/{article.pk}/")
    assert page.status_code == 200 and 'id="kb-preview"' in page.text
    assert client.get(f"/knowledge/{article.pk}/?lang=en").status_code == 200
    assert client.get(f"/knowledge/categories/?brand={brand.pk}").status_code == 200
    version = ArticleVersion.objects.first()
    assert client.get(f"/knowledge/{article.pk}/versions/{version.pk}/").status_code == 200
    nav = client.get("/").text
    assert 'href="/knowledge/"' in nav


def test_create_edit_publish_and_history(login, lead, brand):
    client = login(lead, "en")
    response = client.post(f"/knowledge/new/?brand={brand.pk}", {**FORM, "language": "ja"})
    assert response.status_code == 302
    article = Article.objects.get()
    t = article.translations.get()
    assert t.phrasings == ["注文を取り消したい", "買うのをやめたい"]
    assert article.tags == ["注文", "キャンセル"] and article.status == "draft"
    assert response["Location"] == f"/knowledge/{article.pk}/?lang=ja"

    response = client.post(
        f"/knowledge/{article.pk}/", {**FORM, "language": "ja", "body": "新しい本文"}
    )
    assert response.status_code == 302
    # The English tab: a new translation of the same article.
    response = client.post(
        f"/knowledge/{article.pk}/",
        {**FORM, "language": "en", "title": "Cancelling an order", "phrasings": "cancel"},
    )
    assert response.status_code == 302
    assert set(article.translations.values_list("language", flat=True)) == {"ja", "en"}
    assert (
        client.post(
            f"/knowledge/{article.pk}/status/", {"status": "published", "language": "ja"}
        ).status_code
        == 302
    )
    article.refresh_from_db()
    assert article.status == "published"

    t.refresh_from_db()
    assert t.body == "新しい本文"
    first = t.versions.get(number=1)
    old = client.get(f"/knowledge/{article.pk}/versions/{first.pk}/")
    assert old.status_code == 200 and "Restore this version" in old.text
    assert '<img src="https://shop.test/cancel.png" alt="手順">' in old.text
    restored = client.post(f"/knowledge/{article.pk}/versions/{first.pk}/restore/")
    assert restored.status_code == 302
    t.refresh_from_db()
    assert t.body == FORM["body"]
    page = client.get(f"/knowledge/{article.pk}/?lang=ja").text
    assert "Version 4" in page and "主任 花子" in page


def test_bad_input_is_422_with_field_errors_and_nothing_written(login, lead, brand):
    client = login(lead, "en")
    response = client.post(f"/knowledge/new/?brand={brand.pk}", {**FORM, "title": ""})
    assert response.status_code == 422 and "field-error" in response.text
    long_lines = "\n".join(f"言い方{i}" for i in range(31))
    response = client.post(f"/knowledge/new/?brand={brand.pk}", {**FORM, "phrasings": long_lines})
    assert response.status_code == 422 and "At most 30 phrasings." in response.text
    response = client.post(f"/knowledge/new/?brand={brand.pk}", {**FORM, "status": "gone"})
    assert response.status_code == 422
    other = Brand.objects.create(name="別の店", slug="other")
    foreign = Category.objects.create(brand=other, slug="x", names={"ja": "他店"})
    response = client.post(
        f"/knowledge/new/?brand={brand.pk}", {**FORM, "category": str(foreign.pk)}
    )
    assert response.status_code == 422  # not among the brand's choices
    assert not Article.objects.exists() and not AuditEntry.objects.exists()


def test_live_preview_is_sanitised(login, lead):
    client = login(lead, "en")
    response = client.post(
        "/knowledge/preview/",
        {
            "body": "# 見出し\n\n<script>alert(1)</script> [x](javascript:alert(1)) ![a](https://i.test/a.png)"
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<h1>見出し</h1>" in response.text
    assert "<script>" not in response.text and 'href="javascript' not in response.text
    assert '<img src="https://i.test/a.png" alt="a">' in response.text
    assert client.post("/knowledge/preview/", {"body": "x" * 100_001}).status_code == 422


def test_filters_and_search(login, lead, brand):
    shipping = actions.do_create_category(lead, brand_id=brand.pk, names={"ja": "配送"})
    _article(lead, brand, category_id=shipping.pk, status="published", phrasings=["荷物いまどこ"])
    _article(lead, brand, title="社内向け返品手順", body="倉庫へ連絡", internal=True)
    en = _article(lead, brand, title="Overseas shipping", language="en", body="We ship")
    client = login(lead, "ja")

    def titles(query: str) -> set[str]:
        page = client.get(f"/knowledge/?brand={brand.pk}&{query}")
        assert page.status_code == 200
        return {t.title for t in ArticleTranslation.objects.all() if f">{t.title}</a>" in page.text}

    assert titles(f"category={shipping.pk}") == {"配送状況の確認"}
    assert titles("status=draft") == {"社内向け返品手順", "Overseas shipping"}
    assert titles("internal=1") == {"社内向け返品手順"}
    assert titles("language=en") == {"Overseas shipping"}
    assert titles("q=倉庫") >= {"社内向け返品手順"}
    # Found by a phrasing (by the search engine, or by the plain fallback filter).
    assert "配送状況の確認" in titles("q=荷物いまどこ")
    assert en.pk


def test_agents_read_but_cannot_write(login, make_agent, lead, brand):
    public = _article(lead, brand, status="published", body="**公開**の記事")
    manual = _article(lead, brand, title="社内手順", status="published", internal=True)
    draft = _article(lead, brand, title="下書き記事")
    agent = make_agent("agent")
    client = login(agent, "en")
    listing = client.get("/knowledge/").text
    assert "配送状況の確認" in listing and "社内手順" in listing and "下書き記事" not in listing
    assert "New article" not in listing
    page = client.get(f"/knowledge/{public.pk}/")
    assert page.status_code == 200 and "<strong>公開</strong>" in page.text
    assert 'name="title"' not in page.text
    assert client.get(f"/knowledge/{manual.pk}/").status_code == 200
    assert client.get(f"/knowledge/{draft.pk}/").status_code == 404
    assert client.post(f"/knowledge/{public.pk}/", {**FORM, "language": "ja"}).status_code == 403
    assert client.get(f"/knowledge/new/?brand={brand.pk}").status_code == 403
    assert client.post(f"/knowledge/{public.pk}/status/", {"status": "draft"}).status_code == 403
    assert client.post(f"/knowledge/{public.pk}/delete/").status_code == 403
    assert client.post("/knowledge/preview/", {"body": "x"}).status_code == 403
    assert client.get(f"/knowledge/categories/?brand={brand.pk}").status_code == 403
    version = ArticleVersion.objects.filter(translation__article=public).first()
    assert client.get(f"/knowledge/{public.pk}/versions/{version.pk}/").status_code == 403
    assert client.post(f"/knowledge/{public.pk}/versions/{version.pk}/restore/").status_code == 403
    assert Article.objects.get(pk=public.pk).status == "published"


def test_outsourced_agents_read_only_their_brands(login, make_agent, lead, brand, inboxes):
    mine = _article(lead, brand, status="published", internal=True, title="委託向け手順")
    other = Brand.objects.create(name="別の店", slug="other")
    theirs = _article(lead, other, status="published", title="別店舗の記事")
    outsider = make_agent("outsourced")
    client = login(outsider, "en")
    assert client.get("/knowledge/").status_code == 404  # no brand open to them yet
    outsider.granted_inboxes.set([inboxes["form"]])
    listing = client.get("/knowledge/").text
    assert "委託向け手順" in listing
    assert client.get(f"/knowledge/{mine.pk}/").status_code == 200
    assert client.get(f"/knowledge/{theirs.pk}/").status_code == 404
    assert client.get(f"/knowledge/?brand={other.pk}").text.count("別店舗の記事") == 0


def test_categories_page_create_edit_delete(login, lead, brand):
    client = login(lead, "en")
    url = f"/knowledge/categories/?brand={brand.pk}"
    response = client.post(url, {"brand": brand.pk, "name_ja": "配送について", "position": 0})
    assert response.status_code == 302
    top = Category.objects.get()
    assert top.slug.startswith("c-")
    response = client.post(
        url,
        {"brand": brand.pk, "name_en": "Tracking", "parent": top.pk, "slug": "", "position": 1},
    )
    assert response.status_code == 302
    section = Category.objects.get(parent=top)
    assert section.slug == "tracking"
    page = client.get(url).text
    assert "配送について" in page and "Tracking" in page
    bad = client.post(url, {"brand": brand.pk, "name_ja": "", "name_en": "", "position": 0})
    assert bad.status_code == 422 and "at least one language" in bad.text
    clash = client.post(url, {"brand": brand.pk, "name_en": "x", "slug": "tracking", "position": 0})
    assert clash.status_code == 422 and "Another category uses this slug." in clash.text
    edit = client.post(
        f"/knowledge/categories/{section.pk}/",
        {"name_ja": "追跡", "name_en": "Tracking", "slug": "tracking", "parent": top.pk,
         "position": 2},
    )  # fmt: skip
    assert edit.status_code == 302
    section.refresh_from_db()
    assert section.names == {"ja": "追跡", "en": "Tracking"}
    refused = client.post(f"/knowledge/categories/{top.pk}/delete/")
    assert refused.status_code == 409 and Category.objects.count() == 2
    assert client.post(f"/knowledge/categories/{section.pk}/delete/").status_code == 302
    assert client.post(f"/knowledge/categories/{top.pk}/delete/").status_code == 302
    assert not Category.objects.exists()


def test_the_editor_shows_the_common_question_and_can_switch_it_off(login, lead, brand):
    from madoguchi.knowledge.engine import common_questions

    article = _article(lead, brand, title="ご注文のキャンセル方法", status="published")
    client = login(lead, "en")
    page = client.get(f"/knowledge/{article.pk}/").text
    assert "Common customer questions" in page
    # the topic is named in the console's language
    shown = html.unescape(page)
    intent = next(i for i in common_questions.intents() if f"“{i.title_en}”" in shown)
    assert "cancel" in intent.id and intent.phrasings[0] in page and intent.title not in page
    box = re.search(r'<input[^>]*name="common_questions"[^>]*>', page)
    assert box and "checked" in box.group(0)

    response = client.post(f"/knowledge/{article.pk}/", {**FORM, "language": "ja"})  # unticked
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.common_questions is False
    entry = AuditEntry.objects.filter(action="kb.article.update").latest("id")
    assert entry.data["changes"]["common_questions"] == [True, False]
    page = client.get(f"/knowledge/{article.pk}/").text
    assert "Switched off for this article" in page and intent.phrasings[0] not in page

    # other writers that do not pass the setting keep it
    actions.do_update_translation(
        lead, article.pk, language="ja", title="ご注文のキャンセル方法", body="", phrasings=[],
        category_id=None, status="published", internal=False, tags=[], related_ids=[],
    )  # fmt: skip
    article.refresh_from_db()
    assert article.common_questions is False


def test_the_editor_in_japanese_names_the_common_question(login, lead, brand):
    article = _article(lead, brand, title="ログインできない場合", status="published")
    page = login(lead, "ja").get(f"/knowledge/{article.pk}/").text
    assert "よくある質問の言い回し" in page
    assert "「ログインできない場合」について" in page  # the bank's own Japanese title
