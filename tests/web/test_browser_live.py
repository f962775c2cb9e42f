"""Real browser, live console: two agents on one ticket, and a new ticket arriving in the inbox.

Runs against uvicorn (HTTP + WebSocket, tests/web/conftest_live.py), since pytest-django's
live_server cannot carry WebSockets. Texts are compared with the page's own translated
templates (#live data attributes), so the test holds in any console language.
"""

from __future__ import annotations

import re

import pytest

from tests.web.browser import BROWSER_MARKS
from tests.web.browser import signed_in_page as _signed_in_page
from tests.web.conftest_live import serve_asgi

pytestmark = [
    *BROWSER_MARKS,
    # WhiteNoise hands Django's ASGI handler a file iterator; harmless for these tests.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


@pytest.fixture
def live_asgi(transactional_db, tmp_path):  # type: ignore[no-untyped-def]
    with serve_asgi(tmp_path) as server:
        yield server


def signed_in_page(browser, server, agent):  # type: ignore[no-untyped-def]
    """A page in its own browser context, signed in as the agent (session cookie)."""
    page = _signed_in_page(browser, server.url, agent)
    page.set_default_timeout(5000)
    return page


def chip_text(page, key: str, name: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator("#live").get_attribute(f"data-{key}").replace("{name}", name)


def test_two_agents_see_each_other_and_the_collision_guard_holds(
    live_asgi, browser, make_agent, make_ticket
):
    yamada = make_agent("agent", "山田 一郎")
    sato = make_agent("agent", "佐藤 花子")
    ticket = make_ticket("email", subject="返品について", body="返品の方法を教えてください。")
    url = f"{live_asgi.url}/tickets/{ticket.pk}/"
    a = signed_in_page(browser, live_asgi, yamada)
    b = signed_in_page(browser, live_asgi, sato)
    a.goto(url)
    b.goto(url)

    a_bar, b_bar = a.locator(".presence-bar"), b.locator(".presence-bar")
    b_bar.get_by_text(chip_text(b, "viewing", "山田 一郎"), exact=True).wait_for()
    a_bar.get_by_text(chip_text(a, "viewing", "佐藤 花子"), exact=True).wait_for()
    assert a_bar.get_attribute("aria-live") == "polite"

    b.locator("#reply-body").press_sequentially("確認して", delay=20)
    a_bar.get_by_text(chip_text(a, "typing", "佐藤 花子"), exact=True).wait_for()

    a.locator("#reply-body").fill("山田です。返品は同梱の伝票でお送りください。")
    a.locator("#reply button[type=submit]").click()
    a.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/#message-\d+$"))

    # B hears of the new message without reloading …
    b.locator("#live-new-messages").wait_for()
    assert b.locator(".conversation").inner_text().count("同梱の伝票") == 0
    # … and sending anyway is held by the stale-send guard, with A's reply shown.
    b.locator("#reply-body").fill("佐藤です。返金手続きを進めます。")
    b.locator("#reply button[type=submit]").click()
    b.locator(".alert-warning[data-error-message]").wait_for()
    assert "同梱の伝票" in b.locator(".conversation").inner_text()
    assert b.locator("#reply-body").input_value() == "佐藤です。返金手続きを進めます。"
    # B has read it and confirms: the reply goes out.
    b.locator("#reply button[type=submit]").click()
    b.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/#message-\d+$"))
    assert "返金手続きを進めます" in b.locator(".conversation").inner_text()
    assert ticket.messages.filter(direction="out").count() == 2


def test_new_ticket_appears_in_the_open_inbox_without_reload(
    live_asgi, browser, make_agent, make_ticket, inboxes
):
    agent = make_agent("agent", "山田 一郎")
    make_ticket("email", subject="最初のお問い合わせ")
    page = signed_in_page(browser, live_asgi, agent)
    page.goto(f"{live_asgi.url}/")
    page.locator("#inbox-results tr[data-ticket-id]").first.wait_for()
    # The side-nav counts arrive right after the page (live.js fetches /live/counts/).
    page.wait_for_function(
        "document.getElementById('nav-count-unsolved').textContent.trim() === '1'"
    )
    page.evaluate("window.__notReloaded = true")
    page.locator("body[data-live=connected]").wait_for(state="attached")

    customer = browser.new_context(locale="ja-JP").new_page()
    form = inboxes["form"]
    customer.goto(f"{live_asgi.url}/contact/{form.slug}/")
    customer.fill("#id_name", "鈴木 美咲")
    customer.fill("#id_name_kana", "スズキ ミサキ")
    customer.fill("#id_email", "misaki@example.jp")
    customer.fill("#id_phone", "080-9876-5432")
    customer.fill("#id_order_number", "SK-20001")
    customer.select_option("#id_category", "return")
    customer.fill("#id_subject", "サイズ交換のお願い")
    customer.fill("#id_body", "Lサイズへの交換をお願いします。")
    customer.locator(".contact-form button[type=submit]").click()
    customer.wait_for_url(re.compile(rf"/contact/{form.slug}/thanks/"))

    page.locator("#inbox-results").get_by_text("サイズ交換のお願い").wait_for()
    page.wait_for_function(
        "document.getElementById('nav-count-unsolved').textContent.trim() === '2'"
    )
    assert page.evaluate("window.__notReloaded") is True


def test_mention_lights_the_notification_badge_without_reload(
    live_asgi, browser, make_agent, make_ticket
):
    yamada = make_agent("agent", "山田 一郎")
    sato = make_agent("agent", "佐藤 花子")
    ticket = make_ticket("email", subject="請求書の再発行")
    a = signed_in_page(browser, live_asgi, yamada)
    a.goto(f"{live_asgi.url}/")
    badge = a.locator("#notification-count")
    assert badge.is_hidden()
    a.evaluate("window.__notReloaded = true")
    a.locator("body[data-live=connected]").wait_for(state="attached")

    b = signed_in_page(browser, live_asgi, sato)
    b.goto(f"{live_asgi.url}/tickets/{ticket.pk}/")
    b.locator("#reply .segment-internal").click()
    b.locator("#reply-body").fill("@山田 一郎 請求書の宛名を確認してください。")
    b.locator("#reply button[type=submit]").click()
    b.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/#message-\d+$"))

    a.wait_for_function("document.getElementById('notification-count').textContent.trim() === '1'")
    assert badge.is_visible()
    assert a.evaluate("window.__notReloaded") is True


def test_customer_message_arrives_while_writing_and_the_draft_survives_reload(
    live_asgi, browser, make_agent, make_ticket
):
    agent = make_agent("agent", "山田 一郎")
    ticket = make_ticket("email", subject="配送先の変更", body="配送先を変更できますか。")
    page = signed_in_page(browser, live_asgi, agent)
    page.goto(f"{live_asgi.url}/tickets/{ticket.pk}/")
    page.locator("#reply-body").fill("変更可能です。新しいご住所を")
    page.wait_for_function("document.querySelector('.presence-bar') !== null")  # subscribed

    make_ticket("email", ticket=ticket, body="やはり元の住所のままでお願いします。")
    banner = page.locator("#live-new-messages")
    banner.wait_for()
    assert "元の住所" not in page.locator(".conversation").inner_text()
    banner.get_by_role("link").click()
    page.wait_for_load_state()
    page.locator(".conversation").get_by_text("やはり元の住所のままでお願いします。").wait_for()
    assert page.locator("#reply-body").input_value() == "変更可能です。新しいご住所を"


def test_inbox_with_a_selection_is_not_redrawn_but_offers_the_new_tickets(
    live_asgi, browser, make_agent, make_ticket
):
    agent = make_agent("agent", "山田 一郎")
    first = make_ticket("email", subject="最初のお問い合わせ")
    page = signed_in_page(browser, live_asgi, agent)
    page.goto(f"{live_asgi.url}/")
    page.locator(f'tr[data-ticket-id="{first.pk}"] input[data-row-select]').check()
    page.locator("body[data-live=connected]").wait_for(state="attached")

    make_ticket("form", email="hanako@example.jp", name="佐藤 花子", subject="新しい件")
    banner = page.locator("#live-new-tickets")
    banner.wait_for()
    page.wait_for_function(
        "document.getElementById('nav-count-unsolved').textContent.trim() === '2'"
    )
    # The agent's selection is untouched and the list was not redrawn under them.
    assert page.locator(f'tr[data-ticket-id="{first.pk}"] input[data-row-select]').is_checked()
    assert "新しい件" not in page.locator("#inbox-results").inner_text()
    banner.get_by_role("link").click()
    page.locator("#inbox-results").get_by_text("新しい件").wait_for()
