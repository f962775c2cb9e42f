"""Real browser: a customer types a question in their own words on the help center, picks a
suggestion with the keyboard, reads the article and says it helped."""

from __future__ import annotations

import re

from .browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def test_question_suggestion_article_helpful_vote(transactional_db, live_server, browser, brand):
    from django.core.cache import cache

    from madoguchi.knowledge.engine.store import forget
    from madoguchi.knowledge.models import ArticleFeedback
    from tests.knowledge.helpcenter_data import make_help_center

    cache.clear()
    forget(everything=True)
    kb = make_help_center(brand)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page.goto(f"{live_server.url}/help/test-shop/")
    box = page.locator("#help-q")
    box.click()
    box.press_sequentially("荷物いまどこ", delay=20)
    option = page.locator("#help-suggestions [role=option]").first
    option.wait_for(timeout=5000)
    assert box.get_attribute("aria-expanded") == "true"
    assert "配送状況の確認方法" in option.inner_text()

    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/help/test-shop/a/{kb.tracking.pk}/$"))
    assert page.inner_text("h1") == "配送状況の確認方法"

    page.locator("button[name=helpful][value=yes]").click()
    page.wait_for_url(re.compile(r"\?voted=yes#feedback$"))
    assert page.locator(".help-thanks").is_visible()
    vote = ArticleFeedback.objects.get()
    assert vote.article_id == kb.tracking.pk and vote.helpful is True
