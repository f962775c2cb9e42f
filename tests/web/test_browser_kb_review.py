"""Real browser: a lead edits a customer's question in the review queue, approves it in
place (htmx), and finds it among the article's phrasings."""

from __future__ import annotations

import pytest
from django.utils import timezone

from madoguchi.knowledge import actions
from madoguchi.knowledge.models import ArticleTranslation, PhrasingProposal
from madoguchi.knowledge.questions import normalize_phrasing

from .browser import BROWSER_MARKS, signed_in_page

pytestmark = BROWSER_MARKS


@pytest.fixture(autouse=True)
def _fresh_search_index():  # type: ignore[no-untyped-def]
    store = pytest.importorskip("madoguchi.knowledge.engine.store")
    store.forget(everything=True)
    yield
    store.forget(everything=True)


def test_lead_approves_an_edited_question(
    transactional_db, live_server, browser, make_agent, brand
):
    lead = make_agent("lead", "主任 花子", language="en")
    article = actions.do_create_article(
        lead,
        brand_id=brand.pk,
        language="ja",
        title="配送状況の確認方法",
        body="発送完了メールのお問い合わせ番号で確認できます。",
        phrasings=["荷物の追跡"],
        status="published",
    )
    text = "あの、荷物っていまどこですか？？"
    proposal = PhrasingProposal.objects.create(
        article=article,
        language="ja",
        text=text,
        normalized=normalize_phrasing(text),
        created_at=timezone.now(),
    )
    other = PhrasingProposal.objects.create(
        article=article,
        language="ja",
        text="まだ届かない",
        normalized=normalize_phrasing("まだ届かない"),
        created_at=timezone.now(),
    )
    page = signed_in_page(browser, live_server.url, lead, locale="en-US")
    page.goto(f"{live_server.url}/knowledge/proposals/?brand={brand.pk}")
    row = page.locator(f"#proposal-{proposal.pk}")
    box = row.get_by_label("The question, as it will be added")
    assert box.input_value() == text
    select_all = page.get_by_label("Select all")
    select_all.check()  # the script shows and runs the header box
    assert page.locator(f'#proposal-{other.pk} input[name="ids"]').is_checked()
    select_all.uncheck()

    box.fill("荷物はいまどこ？")
    with page.expect_response(lambda r: "/approve/" in r.url) as response:
        row.get_by_role("button", name="Approve").click()
    assert response.value.status == 200
    page.locator(f"#proposal-{proposal.pk} .kb-proposal-approved-badge").wait_for()
    assert page.url.endswith(f"?brand={brand.pk}")  # updated in place, no page load
    assert page.locator(f"#proposal-{other.pk} input[type=text]").is_visible()

    page.get_by_role("link", name="配送状況の確認方法").first.click()
    page.wait_for_url(f"**/knowledge/{article.pk}/**")
    phrasings = page.get_by_label("Other ways customers ask this").input_value()
    assert phrasings.splitlines() == ["荷物の追跡", "荷物はいまどこ？"]
    assert ArticleTranslation.objects.get(article=article).phrasings == [
        "荷物の追跡",
        "荷物はいまどこ？",
    ]


def test_lead_tries_a_question_and_adds_a_synonym_group(
    transactional_db, live_server, browser, make_agent, brand
):
    lead = make_agent("lead", "主任 花子", language="en")
    page = signed_in_page(browser, live_server.url, lead, locale="en-US")
    page.goto(f"{live_server.url}/knowledge/synonyms/?brand={brand.pk}")
    page.get_by_label("A customer's question").fill("サブスクを代引きで")
    result = page.locator("#kb-syn-try-result")
    result.locator("strong", has_text="代引き").wait_for()  # as typed, by htmx
    assert "代金引換" in result.inner_text() and "定期便" not in result.inner_text()

    page.get_by_label("Words that mean the same thing").fill("定期便\nｻﾌﾞｽｸ")
    page.get_by_role("button", name="Add group").click()
    page.wait_for_url(f"**/knowledge/synonyms/?brand={brand.pk}")
    assert "定期便" in page.locator(".kb-syn-table").first.inner_text()
    page.get_by_label("A customer's question").fill("サブスクを代引きで")
    result.locator("strong", has_text="サブスク").wait_for()
    assert "定期便" in result.inner_text()
