"""Real browser: a lead writes a help-center article with a phrasing, watches the live
preview, publishes it, and finds it by that phrasing."""

from __future__ import annotations

import re

import pytest

from madoguchi.knowledge.models import Article

from .browser import BROWSER_MARKS, signed_in_page

pytestmark = BROWSER_MARKS


@pytest.fixture(autouse=True)
def _fresh_search_index():  # type: ignore[no-untyped-def]
    """The search engine caches each brand's index for a second; ids repeat across tests."""
    store = pytest.importorskip("madoguchi.knowledge.engine.store")
    store.forget(everything=True)
    yield
    store.forget(everything=True)


def test_editor_creates_previews_and_publishes_an_article(
    transactional_db, live_server, browser, make_agent, brand
):
    lead = make_agent("lead", "主任 花子", language="en")
    page = signed_in_page(browser, live_server.url, lead, locale="en-US")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Help center articles").click()
    page.get_by_role("link", name="New article").click()
    page.wait_for_url(re.compile(r"/knowledge/new/"))

    page.get_by_label("Title").fill("ご注文のキャンセル方法")
    body = page.locator("#id_body")
    body.fill("マイページの")
    # The toolbar wraps the selection; typing goes on at the caret.
    body.press("End")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("注文履歴")
    body.press("End")
    page.keyboard.type(" から取り消せます。\n\n- 発送前のみ")
    preview = page.locator("#kb-preview")
    page.wait_for_function("document.querySelector('#kb-preview li')?.textContent === '発送前のみ'")
    assert preview.locator("strong").inner_text() == "注文履歴"
    page.get_by_label("Other ways customers ask this").fill("注文を取り消したい\n間違えて買った")
    page.get_by_role("button", name="Create article").click()

    page.wait_for_url(re.compile(r"/knowledge/\d+/\?lang=ja$"))
    assert page.locator(".flash-stack").inner_text().strip() == "Article created."
    assert "Version 1" in page.locator(".kb-versions").inner_text()
    page.locator("#kb-preview strong").wait_for()  # the preview shows the saved text too
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/knowledge/\d+/"))
    assert page.locator(".flash-stack").inner_text().strip() == "Article published."
    article = Article.objects.get()
    assert article.status == "published"
    assert article.translations.get().phrasings == ["注文を取り消したい", "間違えて買った"]

    page.get_by_role("link", name="Help center articles").first.click()
    page.get_by_label("Search articles").fill("注文を取り消したい")
    page.get_by_label("Search articles").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    row = page.locator(f'tr[data-article-id="{article.pk}"]')
    assert "ご注文のキャンセル方法" in row.inner_text() and "Published" in row.inner_text()
