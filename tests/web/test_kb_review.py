"""Console pages of the learning loop: the review queue (htmx and plain posts, bulk, move)
and the synonym list with its try-it box."""

from __future__ import annotations

import pytest
from django.utils import timezone

from madoguchi.accounts.models import Brand
from madoguchi.knowledge import actions
from madoguchi.knowledge.actions import proposals, synonyms
from madoguchi.knowledge.models import (
    ArticleTranslation,
    PhrasingProposal,
    ProposalStatus,
    Synonym,
)
from madoguchi.knowledge.questions import normalize_phrasing
from madoguchi.web.views.kb_review import pending_count

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_search_index():  # type: ignore[no-untyped-def]
    """The search engine caches each brand's index for a second; ids repeat across tests."""
    store = pytest.importorskip("madoguchi.knowledge.engine.store")
    store.forget(everything=True)
    yield
    store.forget(everything=True)


@pytest.fixture
def lead(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("lead", "主任 花子")


@pytest.fixture
def tracking(lead, brand):  # type: ignore[no-untyped-def]
    return actions.do_create_article(
        lead,
        brand_id=brand.pk,
        language="ja",
        title="配送状況の確認方法",
        body="発送完了メールのお問い合わせ番号で確認できます。",
        phrasings=["荷物の追跡"],
        status="published",
    )


def propose(article, text, language="ja", **extra):  # type: ignore[no-untyped-def]
    return PhrasingProposal.objects.create(
        article=article,
        language=language,
        text=text,
        normalized=normalize_phrasing(text),
        created_at=timezone.now(),
        **extra,
    )


def phrasings(article) -> list[str]:  # type: ignore[no-untyped-def]
    return list(ArticleTranslation.objects.get(article=article, language="ja").phrasings)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_queue_shows_questions_with_their_article_ticket_and_author(
    login, lead, agent, brand, tracking, make_ticket, language
):
    ticket = make_ticket(body="荷物いまどこ？3日前に注文しました")
    propose(tracking, "荷物いまどこ？", ticket=ticket, proposed_by=agent)
    propose(tracking, "配達はいつ？")  # no ticket, no author
    client = login(lead, language)
    page = client.get(f"/knowledge/proposals/?brand={brand.pk}")
    assert page.status_code == 200
    text = page.text
    assert 'value="荷物いまどこ？"' in text and 'value="配達はいつ？"' in text
    assert f'href="/knowledge/{tracking.pk}/?lang=ja"' in text and "配送状況の確認方法" in text
    assert f'href="/tickets/{ticket.pk}/"' in text and "佐藤 花子" in text
    assert text.count('name="ids"') == 2 and "data-kb-select-all" in text
    assert text.count("data-proposal-id=") == 2
    assert pending_count(lead) == 2


def test_status_tabs_filter_the_queue(login, lead, brand, tracking):
    propose(tracking, "荷物いまどこ？")
    decided = propose(tracking, "店長の名前は？")
    proposals.reject(lead, decided.pk)
    client = login(lead)
    rejected = client.get(f"/knowledge/proposals/?brand={brand.pk}&status=rejected").text
    assert "店長の名前は？" in rejected and "荷物いまどこ？" not in rejected
    assert 'name="ids"' not in rejected and "主任 花子" in rejected
    pending = client.get(f"/knowledge/proposals/?brand={brand.pk}&status=bogus").text
    assert "荷物いまどこ？" in pending and "店長の名前は？" not in pending


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_only_editors_reach_the_pages(login, make_agent, brand, tracking, role, inboxes):
    p = propose(tracking, "荷物いまどこ？")
    row = synonyms.do_create_synonym(
        make_agent("lead"), brand_id=brand.pk, terms=["定期便", "サブスク"]
    )
    client = login(make_agent(role))
    for url in (
        "/knowledge/proposals/",
        f"/knowledge/proposals/{p.pk}/move/",
        "/knowledge/synonyms/",
        f"/knowledge/synonyms/{row.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        f"/knowledge/proposals/{p.pk}/approve/",
        f"/knowledge/proposals/{p.pk}/reject/",
        "/knowledge/proposals/bulk/",
        "/knowledge/synonyms/",
        f"/knowledge/synonyms/{row.pk}/delete/",
    ):
        assert client.post(url, {"ids": [p.pk], "decision": "approved"}).status_code == 403, url
    p.refresh_from_db()
    assert p.status == ProposalStatus.PENDING and Synonym.objects.count() == 1


def test_htmx_approve_with_an_edit_updates_the_row_in_place(login, lead, tracking):
    p = propose(tracking, "あの、荷物っていまどこですか？？")
    client = login(lead)
    response = client.post(
        f"/knowledge/proposals/{p.pk}/approve/",
        {f"text-{p.pk}": "荷物はいまどこ？", "next": "/knowledge/proposals/"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="proposal-{p.pk}"')
    assert "kb-proposal-approved-badge" in response.text
    assert 'name="ids"' not in response.text
    assert phrasings(tracking) == ["荷物の追跡", "荷物はいまどこ？"]


def test_htmx_refusals_come_back_in_the_row(login, lead, tracking):
    p = propose(tracking, "荷物いまどこ？")
    client = login(lead, "en")
    empty = client.post(f"/knowledge/proposals/{p.pk}/approve/", {f"text-{p.pk}": " "}, **HTMX)
    assert empty.status_code == 422 and "Enter the question to add." in empty.text
    assert 'aria-invalid="true"' in empty.text
    english = propose(tracking, "where is my parcel", language="en")
    missing = client.post(f"/knowledge/proposals/{english.pk}/approve/", {}, **HTMX)
    assert missing.status_code == 409 and "no text in this language" in missing.text
    assert client.post(f"/knowledge/proposals/{p.pk}/reject/", {}, **HTMX).status_code == 200
    again = client.post(f"/knowledge/proposals/{p.pk}/approve/", {}, **HTMX)
    assert again.status_code == 409 and "already rejected" in again.text
    assert phrasings(tracking) == ["荷物の追跡"]


def test_plain_posts_work_without_javascript(login, lead, brand, tracking):
    p = propose(tracking, "荷物いまどこ？")
    q = propose(tracking, "店長の名前は？")
    client = login(lead)
    back = f"/knowledge/proposals/?brand={brand.pk}&status=pending"
    response = client.post(f"/knowledge/proposals/{p.pk}/approve/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(
        f"/knowledge/proposals/{q.pk}/reject/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/knowledge/proposals/")
    assert phrasings(tracking) == ["荷物の追跡", "荷物いまどこ？"]
    conflict = client.post(f"/knowledge/proposals/{p.pk}/approve/", {})
    assert conflict.status_code == 409 and "data-error-message" in conflict.text
    assert client.get(f"/knowledge/proposals/{p.pk}/approve/").status_code == 405


def test_bad_ids_are_404(login, lead, tracking):
    client = login(lead)
    for url in (
        "/knowledge/proposals/999999/approve/",
        "/knowledge/proposals/999999/reject/",
    ):
        assert client.post(url, {}).status_code == 404
        assert client.post(url, {}, **HTMX).status_code == 404
    assert client.get("/knowledge/proposals/999999/move/").status_code == 404
    assert client.get("/knowledge/synonyms/999999/").status_code == 404
    assert client.post("/knowledge/synonyms/999999/delete/").status_code == 404
    p = propose(tracking, "荷物いまどこ？")
    bulk = client.post(
        "/knowledge/proposals/bulk/", {"ids": [p.pk, 999999], "decision": "rejected"}
    )
    assert bulk.status_code == 404
    p.refresh_from_db()
    assert p.status == ProposalStatus.PENDING


def test_ids_that_are_not_plain_numbers_never_make_a_500(login, lead, tracking):
    client = login(lead)
    for url in (
        "/knowledge/?brand=²",
        "/knowledge/?category=①&after=²",
        "/knowledge/proposals/?brand=²",
        "/knowledge/proposals/?after=²",
        "/knowledge/synonyms/?brand=²",
        "/knowledge/analytics/?brand=²",
        "/knowledge/gaps/?brand=" + "9" * 30,
    ):
        assert client.get(url).status_code == 200, url
    p = propose(tracking, "荷物いまどこ？")
    for ids in (["²"], ["9" * 30], ["-1"]):
        bulk = client.post("/knowledge/proposals/bulk/", {"ids": ids, "decision": "rejected"})
        assert bulk.status_code == 422, ids
    move = client.post(f"/knowledge/proposals/{p.pk}/move/", {"article": "²"})
    assert move.status_code == 404


def test_bulk_approve_and_reject(login, lead, brand, tracking):
    one, two, three = (propose(tracking, t) for t in ("荷物いまどこ？", "まだ届かない", "店長は？"))
    english = propose(tracking, "where is it", language="en")
    client = login(lead, "en")
    response = client.post(
        "/knowledge/proposals/bulk/",
        {"brand": brand.pk, "ids": [one.pk, two.pk, english.pk], "decision": "approved"},
        follow=True,
    )
    assert response.status_code == 200
    assert "2 questions approved." in response.text and f"#{english.pk}:" in response.text
    assert phrasings(tracking) == ["荷物の追跡", "荷物いまどこ？", "まだ届かない"]
    response = client.post(
        "/knowledge/proposals/bulk/",
        {"ids": [one.pk, three.pk], "decision": "rejected"},
        follow=True,
    )
    assert "1 question rejected." in response.text
    assert "1 question had been decided already." in response.text
    three.refresh_from_db()
    assert three.status == ProposalStatus.REJECTED
    nothing = client.post("/knowledge/proposals/bulk/", {"decision": "approved"})
    assert nothing.status_code == 422


def test_move_page_suggests_articles_and_moves(login, lead, brand, tracking):
    cancel = actions.do_create_article(
        lead,
        brand_id=brand.pk,
        language="ja",
        title="ご注文のキャンセル方法",
        body="マイページからキャンセルできます。",
        phrasings=["注文を取り消したい"],
        status="published",
    )
    p = propose(tracking, "注文をキャンセルしたい")
    client = login(lead)
    page = client.get(f"/knowledge/proposals/{p.pk}/move/")
    assert page.status_code == 200
    assert f'value="{cancel.pk}"' in page.text and "ご注文のキャンセル方法" in page.text
    assert f'name="article" value="{tracking.pk}"' not in page.text
    other = actions.do_create_article(
        lead,
        brand_id=Brand.objects.create(name="別店", slug="other-shop").pk,
        language="ja",
        title="キャンセル",
    )
    refused = client.post(f"/knowledge/proposals/{p.pk}/move/", {"article": other.pk})
    assert refused.status_code == 422 and "data-error-message" in refused.text
    response = client.post(
        f"/knowledge/proposals/{p.pk}/move/", {"article": cancel.pk, "then": "approve"}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.article == cancel and p.status == ProposalStatus.APPROVED
    assert "注文をキャンセルしたい" in ArticleTranslation.objects.get(article=cancel).phrasings


def test_synonym_page_lists_adds_edits_and_deletes(login, lead, brand):
    client = login(lead)
    page = client.get(f"/knowledge/synonyms/?brand={brand.pk}")
    assert page.status_code == 200
    assert "代金引換" in page.text and "kb-syn-defaults" in page.text
    assert 'value="global"' not in page.text  # leads add brand groups only
    response = client.post(
        "/knowledge/synonyms/", {"brand": brand.pk, "terms": "定期便 = ｻﾌﾞｽｸ\n定期購入"}
    )
    assert response.status_code == 302
    row = Synonym.objects.get()
    assert row.terms == ["定期便", "サブスク", "定期購入"] and row.brand_id == brand.pk
    listing = client.get(f"/knowledge/synonyms/?brand={brand.pk}").text
    assert f'data-synonym-id="{row.pk}"' in listing
    bad = client.post(
        "/knowledge/synonyms/", {"brand": brand.pk, "terms": "定期購入\nさぶすく\n定期便"}
    )
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert "定期購入\nさぶすく\n定期便" in bad.text  # what was typed stays in the box
    edit = client.get(f"/knowledge/synonyms/{row.pk}/")
    assert edit.status_code == 200 and "定期便\nサブスク\n定期購入" in edit.text
    assert client.post(f"/knowledge/synonyms/{row.pk}/", {"terms": "定期便"}).status_code == 422
    assert (
        client.post(f"/knowledge/synonyms/{row.pk}/", {"terms": "定期便\n頒布会"}).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.terms == ["定期便", "頒布会"]
    assert client.post(f"/knowledge/synonyms/{row.pk}/delete/").status_code == 302
    assert not Synonym.objects.exists()


def test_global_groups_on_the_synonym_page(login, lead, admin, brand):
    client = login(admin, "en")
    page = client.get(f"/knowledge/synonyms/?brand={brand.pk}")
    assert 'value="global"' in page.text and "built-in groups (read-only)" in page.text
    response = client.post(
        "/knowledge/synonyms/",
        {"brand": brand.pk, "terms": "福袋\nラッキーバッグ", "scope": "global"},
    )
    assert response.status_code == 302
    row = Synonym.objects.get()
    assert row.brand_id is None
    lead_client = login(lead, "en")
    listing = lead_client.get(f"/knowledge/synonyms/?brand={brand.pk}").text
    assert "ラッキーバッグ" in listing and "Administrators edit these" in listing
    assert lead_client.get(f"/knowledge/synonyms/{row.pk}/").status_code == 403
    assert lead_client.post(f"/knowledge/synonyms/{row.pk}/delete/").status_code == 403
    assert (
        lead_client.post(
            "/knowledge/synonyms/", {"brand": brand.pk, "terms": "福袋\n初売り", "scope": "global"}
        ).status_code
        == 403
    )
    assert Synonym.objects.count() == 1


def test_try_it_shows_how_a_question_expands(login, lead, brand):
    client = login(lead, "en")
    page = client.get(f"/knowledge/synonyms/?brand={brand.pk}&q=代引きを取り消したい")
    assert page.status_code == 200
    assert "<strong>代引き</strong>" in page.text and "代金引換" in page.text
    assert "キャンセル" in page.text
    partial = client.get(f"/knowledge/synonyms/?brand={brand.pk}&q=こんにちは", **HTMX)
    assert partial.status_code == 200
    assert partial.text.startswith('<div id="kb-syn-try-result"')
    assert "No synonym group matches" in partial.text
