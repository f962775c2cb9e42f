"""Real browser: Debian Chromium driven by Playwright against the live test server.

An agent signs in, opens a ticket from the inbox and answers in Japanese; a customer sends
the public contact form in Japanese and gets the reference number.
"""

from __future__ import annotations

import re

from .browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def test_agent_answers_a_ticket_in_japanese(
    transactional_db, live_server, browser, make_agent, make_ticket, tmp_path
):
    agent = make_agent("agent", "佐藤 花子", language="ja")
    ticket = make_ticket(
        "email",
        subject="注文した商品がまだ届きません",
        body="5月1日に注文したマグカップ（注文番号 SK-10234）がまだ届いていません。",
    )
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="ja-JP")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("Username|ユーザー名")).fill(agent.user.username)
    page.get_by_label(re.compile("Password|パスワード")).fill("pass-1234-word")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "ja"

    row = page.locator(f'tr[data-ticket-id="{ticket.pk}"]')
    row.wait_for()
    assert "注文した商品がまだ届きません" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/$"))

    reply = (
        "山田様\n\nお問い合わせありがとうございます。配送状況を確認し、明日までにご連絡いたします。"
    )
    page.locator("#reply-body").fill(reply)
    page.locator("#reply button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/#message-\d+$"))
    sent = page.locator(".msg-out .msg-content").last
    assert "配送状況を確認し、明日までにご連絡いたします。" in sent.inner_text()
    assert page.locator(".msg-out .delivery").last.is_visible()

    from madoguchi.tickets.models import Message

    stored = Message.objects.get(ticket=ticket, author_agent=agent)
    assert stored.body_text == reply and not stored.is_internal
    screenshot = tmp_path / "ticket-ja.png"
    page.screenshot(path=str(screenshot), full_page=False)
    assert screenshot.stat().st_size > 10_000


def test_customer_sends_the_contact_form_in_japanese(
    transactional_db, live_server, browser, inboxes
):
    inbox = inboxes["form"]
    page = browser.new_page(locale="ja-JP")
    page.goto(f"{live_server.url}/contact/{inbox.slug}/")
    assert "窓口テスト商店" in page.inner_text(".public-head")
    page.fill("#id_name", "鈴木 美咲")
    page.fill("#id_name_kana", "スズキ ミサキ")
    page.fill("#id_email", "misaki@example.jp")
    page.fill("#id_phone", "080-9876-5432")
    page.fill("#id_order_number", "SK-20001")
    page.select_option("#id_category", "return")
    page.fill("#id_subject", "サイズ交換のお願い")
    page.fill(
        "#id_body", "届いたTシャツのサイズが合わなかったので、Lサイズへの交換をお願いします。"
    )
    page.locator(".contact-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/contact/{inbox.slug}/thanks/"))

    from madoguchi.tickets.models import Ticket

    ticket = Ticket.objects.get()
    assert page.inner_text("[data-ticket-number]").strip() == f"#{ticket.number}"
    assert ticket.subject == "サイズ交換のお願い"
    assert ticket.customer.name == "鈴木 美咲"
    assert "Lサイズへの交換" in ticket.messages.get().body_text
