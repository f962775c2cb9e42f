"""FAQ import/export (JSON Lines) and the `madoguchi kb` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from madoguchi.accounts.models import AuditEntry
from madoguchi.knowledge import actions
from madoguchi.knowledge.importing import ImportRejected, export_jsonl, import_jsonl
from madoguchi.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
    Category,
)

pytestmark = pytest.mark.django_db

DEV_SET = Path(__file__).resolve().parents[2] / "bench" / "data" / "kb_faq_ja.jsonl"


@pytest.fixture(autouse=True)
def _english():
    """These tests read messages in English; the compiled catalogue would answer in Japanese."""
    with translation.override("en"):
        yield


def _line(**values: object) -> str:
    base = {
        "id": "faq-1",
        "title": "ご注文のキャンセル方法",
        "body": "本文",
        "category": "ご注文について",
    }
    base.update(values)
    return json.dumps(base, ensure_ascii=False)


def test_dev_set_imports_and_a_second_import_changes_nothing(brand):
    counts = import_jsonl(DEV_SET, brand)
    assert counts == {"lines": 60, "created": 60, "updated": 0, "unchanged": 0, "categories": 7}
    assert Article.objects.filter(brand=brand).count() == 60
    assert set(Article.objects.values_list("status", flat=True)) == {ArticleStatus.PUBLISHED}
    assert ArticleTranslation.objects.filter(language="en").count() == 5
    again = import_jsonl(DEV_SET, brand)
    assert again == {"lines": 60, "created": 0, "updated": 0, "unchanged": 60, "categories": 0}
    assert Article.objects.count() == 60 and Category.objects.count() == 7
    assert ArticleVersion.objects.count() == 60  # no version for unchanged text
    cancel = ArticleTranslation.objects.get(article__external_id="faq-001")
    assert cancel.phrasings == ["注文を取り消したい", "買うのをやめたい"]
    assert cancel.article.category.names == {"ja": "ご注文について"}


def test_upsert_by_id_and_language(brand):
    import_jsonl([_line(), _line(language="en", title="Cancelling an order")], brand)
    assert Article.objects.count() == 1
    assert ArticleTranslation.objects.count() == 2
    counts = import_jsonl([_line(body="新しい本文", phrasings=["取り消したい"])], brand)
    assert counts["updated"] == 1 and counts["created"] == 0
    ja = ArticleTranslation.objects.get(language="ja")
    assert (ja.body, ja.phrasings) == ("新しい本文", ["取り消したい"])
    assert [v.number for v in ja.versions.all()] == [2, 1]
    assert AuditEntry.objects.filter(action="kb.import").count() == 2


def test_japanese_categories_get_stable_slugs_and_are_reused(brand):
    import_jsonl(
        [
            _line(id="a", category="配送について"),
            _line(id="b", category="配送について"),
            _line(id="c", category="返品・交換について"),
            _line(id="d", category=""),
        ],
        brand,
    )
    slugs = dict(Category.objects.values_list("names__ja", "slug"))
    assert set(slugs) == {"配送について", "返品・交換について"}
    assert all(s.startswith("c-") and len(s) == 10 for s in slugs.values())
    assert Article.objects.get(external_id="d").category is None
    # An existing category is found by any of its names (an editor added English).
    shipping = Category.objects.get(names__ja="配送について")
    shipping.names = {"ja": "配送について", "en": "Shipping"}
    shipping.save()
    counts = import_jsonl([_line(id="e", category="Shipping", language="en")], brand)
    assert counts["categories"] == 0
    assert Article.objects.get(external_id="e").category == shipping


def test_a_bad_line_rejects_the_whole_file_with_a_report(brand):
    lines = [
        _line(id="ok-1"),
        "{not json",
        _line(id="ok-2", title=""),
        _line(id="ok-3", language="fr"),
        "",
        _line(id="ok-4", phrasings="一つだけ"),
        _line(id="ok-1"),
        json.dumps(["a list"]),
        _line(id="", title="x"),
    ]
    with pytest.raises(ImportRejected) as rejected:
        import_jsonl(lines, brand)
    report = rejected.value.details
    assert [item["line"] for item in report] == [2, 3, 4, 6, 7, 8, 9]
    assert "Enter a title." in report[1]["reason"]
    assert "already on line 1" in report[4]["reason"]
    assert not Article.objects.exists() and not Category.objects.exists()
    assert not AuditEntry.objects.exists()
    with pytest.raises(ImportRejected):
        import_jsonl([], brand)


def test_draft_import_keeps_existing_status(brand):
    import_jsonl([_line(id="new")], brand, draft=True)
    assert Article.objects.get(external_id="new").status == ArticleStatus.DRAFT
    import_jsonl([_line(id="pub")], brand)
    import_jsonl([_line(id="pub", body="変更")], brand, draft=True)
    assert Article.objects.get(external_id="pub").status == ArticleStatus.PUBLISHED


def test_export_round_trip_keeps_everything(brand, make_agent):
    lead = make_agent("lead")
    import_jsonl(DEV_SET, brand)
    # An article written in the console: no external id, internal, a draft, in a section.
    parent = Category.objects.get(names__ja="配送について")
    section = actions.do_create_category(
        lead, brand_id=brand.pk, names={"ja": "置き配"}, parent_id=parent.pk
    )
    manual = actions.do_create_article(
        lead,
        brand_id=brand.pk,
        language="ja",
        title="置き配の社内手順",
        body="1. 確認\n2. 連絡",
        phrasings=["置き配トラブル"],
        category_id=section.pk,
        internal=True,
        tags=["手順"],
    )
    out = io.StringIO()
    assert export_jsonl(brand, out) == 61
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    mine = next(line for line in lines if line["id"] == f"article-{manual.pk}")
    assert mine["internal"] is True and mine["status"] == "draft" and mine["tags"] == ["手順"]
    assert mine["category"] == "置き配"
    before = {
        (t.article_id, t.language): (t.title, t.body, t.phrasings, t.article.category_id)
        for t in ArticleTranslation.objects.select_related("article")
    }
    counts = import_jsonl(out.getvalue().splitlines(), brand)
    assert counts["unchanged"] == 61 and counts["created"] == 0
    after = {
        (t.article_id, t.language): (t.title, t.body, t.phrasings, t.article.category_id)
        for t in ArticleTranslation.objects.select_related("article")
    }
    assert after == before
    manual.refresh_from_db()
    assert (manual.internal, manual.status) == (True, ArticleStatus.DRAFT)


def test_command_import_export_and_errors(brand, tmp_path):
    out = io.StringIO()
    call_command("kb", "import", str(DEV_SET), "--brand", brand.slug, stdout=out)
    assert "60" in out.getvalue()
    target = tmp_path / "export.jsonl"
    call_command("kb", "export", str(target), "--brand", brand.slug, stdout=io.StringIO())
    assert len(target.read_text(encoding="utf-8").splitlines()) == 60
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_line() + "\n" + _line(id="x", title="") + "\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="line 2"):
        call_command("kb", "import", str(bad), "--brand", brand.slug, stderr=err)
    assert "line 2" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("kb", "import", str(DEV_SET), "--brand", "no-such-shop")
    with pytest.raises(CommandError):
        call_command("kb", "import", str(tmp_path / "missing.jsonl"), "--brand", brand.slug)
    not_utf8 = tmp_path / "sjis.jsonl"
    not_utf8.write_bytes(_line().encode("cp932"))
    with pytest.raises(CommandError, match="line 1"):
        call_command("kb", "import", str(not_utf8), "--brand", brand.slug, stderr=io.StringIO())
    assert Article.objects.count() == 60
