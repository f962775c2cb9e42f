"""Real browser: the help center's box and the widget log one search per question (not per
keystroke), and opening a suggestion records the click."""

from __future__ import annotations

import re

from .browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def _setup(brand):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from madoguchi.knowledge.engine.store import forget
    from tests.knowledge.helpcenter_data import make_help_center

    cache.clear()
    forget(everything=True)
    return make_help_center(brand)


def test_help_center_box_logs_one_search_and_the_click(
    transactional_db, live_server, browser, brand
):
    from madoguchi.knowledge.models import SearchLog

    kb = _setup(brand)
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page.goto(f"{live_server.url}/help/test-shop/")
    box = page.locator("#help-q")
    box.click()
    box.press_sequentially("荷物いまどこ", delay=120)  # several requests while typing
    option = page.locator("#help-suggestions [role=option] a").first
    option.wait_for(timeout=5000)
    href = option.get_attribute("href") or ""
    assert re.search(rf"/help/test-shop/a/{kb.tracking.pk}/\?sl=\d+$", href), href
    row = SearchLog.objects.get()  # the keystrokes merged into one search
    assert (row.query, row.source, row.clicked_at) == ("荷物いまどこ", "help_center", None)
    assert len(row.session) >= 8
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/help/test-shop/a/{kb.tracking.pk}/$"))
    row.refresh_from_db()
    assert row.clicked_article_id == kb.tracking.pk


def test_widget_on_a_shop_page_logs_as_widget(
    transactional_db, live_server, browser, brand, settings
):
    from madoguchi.knowledge.models import SearchLog

    settings.PUBLIC_URL = live_server.url
    kb = _setup(brand)
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    # A shop page with the one script tag (same host: Chromium's local-network rules refuse
    # another origin reaching a loopback server; CORS is covered by test_kb_insights).
    shop = live_server.url + "/shop-page/"
    page.route(
        shop,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<html><body><div data-madoguchi-help></div><script src="{live_server.url}'
            '/help/test-shop/widget.js"></script></body></html>',
        ),
    )
    page.goto(shop)
    box = page.locator("[data-madoguchi-help] input")
    box.click()
    box.press_sequentially("まだ届かない", delay=60)
    link = page.locator("[data-madoguchi-help] [role=option] a").first
    link.wait_for(timeout=5000)
    href = link.get_attribute("href") or ""
    row = SearchLog.objects.get()
    assert row.source == "widget" and row.query == "まだ届かない"
    assert href.startswith(live_server.url) and href.endswith(f"?sl={row.pk}")
    link.click()
    page.wait_for_url(re.compile(r"/help/test-shop/a/\d+/$"))
    row.refresh_from_db()
    assert row.clicked_article_id is not None and row.clicked_article_id in row.shown
    assert kb.brand.pk == row.brand_id
