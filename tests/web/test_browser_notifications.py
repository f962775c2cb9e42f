"""Real browser: agent A mentions agent B in an internal note; B sees the bell's count and the
notification, follows it to the ticket, and it is read."""

from __future__ import annotations

import re

from madoguchi.automation.models import Notification, NotificationKind

from .browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def signed_in(browser, live_server, agent):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("Username|ユーザー名")).fill(agent.user.username)
    page.get_by_label(re.compile("Password|パスワード")).fill("pass-1234-word")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def test_mention_reaches_the_other_agent(
    transactional_db,
    live_server,
    browser,
    make_agent,
    make_ticket,
):
    sato = make_agent("agent", "佐藤 花子")
    suzuki = make_agent("agent", "鈴木 一郎")
    ticket = make_ticket("email", subject="注文した商品がまだ届きません")

    context_a, page = signed_in(browser, live_server, sato)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.locator("#reply label.segment-internal").click()
    page.locator("#reply-body").fill("@鈴木 一郎 在庫を確認してください")
    page.keyboard.press("Escape")
    page.locator("#reply button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/#message-\d+$"))
    context_a.close()

    notification = Notification.objects.get()
    assert (notification.recipient_id, notification.kind, notification.actor_id) == (
        suzuki.pk,
        NotificationKind.MENTION,
        sato.pk,
    )

    context_b, page = signed_in(browser, live_server, suzuki)
    count = page.locator("#notification-count")
    assert count.is_visible()
    assert count.inner_text() == "1"
    assert "1" in (count.get_attribute("aria-label") or "")
    page.locator("a.notif-bell").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    item = page.locator(f'[data-notification-id="{notification.pk}"]')
    assert "notif-unread" in (item.get_attribute("class") or "")
    assert "佐藤 花子" in item.inner_text()
    assert f"#{ticket.number}" in item.inner_text()
    assert "在庫を確認してください" in item.inner_text()
    item.locator("a.notif-link").click()
    page.wait_for_url(f"{live_server.url}/tickets/{ticket.pk}/")
    assert page.locator("#notification-count").is_hidden()
    context_b.close()
    notification.refresh_from_db()
    assert notification.read_at is not None
