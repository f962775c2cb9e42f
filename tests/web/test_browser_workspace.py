"""Real browser: the ticket workspace in Japanese, driven by the keyboard.

An agent opens a ticket from the inbox, finds a macro by typing in the picker, sends it with
Ctrl+Enter and the ticket ends solved; `?` opens the shortcut help and Esc closes it.
"""

from __future__ import annotations

import re

from .browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def _sign_in(page, live_server, agent) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("Username|ユーザー名")).fill(agent.user.username)
    page.get_by_label(re.compile("Password|パスワード")).fill("pass-1234-word")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")


def test_macro_picker_by_keyboard_sends_and_solves(
    transactional_db, live_server, browser, make_agent, make_ticket
):
    from madoguchi.tickets.models import Macro, Message, Ticket

    agent = make_agent("agent", "佐藤 花子", language="ja")
    ticket = make_ticket(
        "email", subject="返品の送料について", body="返品の送料は誰が負担しますか？"
    )
    Macro.objects.create(name="配送遅延のお詫び", body="お届けが遅れております。")
    Macro.objects.create(
        name="返品送料のご案内",
        body="{{customer.name}} 様\n返品の送料は当店が負担いたします。",
        set_status="solved",
    )
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    _sign_in(page, live_server, agent)
    page.locator(f'tr[data-ticket-id="{ticket.pk}"] a.row-link').click()
    page.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/"))

    page.locator("body").press("m")
    search = page.locator("#macro-search")
    search.wait_for()
    assert search.evaluate("el => el === document.activeElement")
    search.type("送料")
    assert page.locator('#macro-list [role="option"]:visible').count() == 1
    search.press("Enter")
    body = page.locator("#reply-body")
    page.wait_for_function(
        "() => document.querySelector('#reply-body').value.includes('当店が負担')"
    )
    assert body.input_value().startswith("山田 太郎 様")
    assert page.locator("#reply-status").input_value() == "solved"
    assert "返品送料のご案内" in page.locator("#macro-status").inner_text()

    body.press("End")
    body.type("\nよろしくお願いいたします。")
    body.press("Control+Enter")
    page.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/.*#message-\d+$"))
    assert "解決済み" in page.locator("#ticket-status").inner_text()
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    sent = Message.objects.get(ticket=ticket, author_agent=agent)
    assert sent.body_text.endswith("よろしくお願いいたします。")
    assert Ticket.objects.get(pk=ticket.pk).tags.count() == 0


def test_question_mark_opens_the_shortcut_help(
    transactional_db, live_server, browser, make_agent, make_ticket
):
    agent = make_agent("agent", "佐藤 花子", language="ja")
    ticket = make_ticket("sms", email=None, phone="+819012345678")
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    dialog = page.locator("dialog#shortcuts")
    assert not dialog.is_visible()
    # Typing `?` in the reply box is text, not a shortcut.
    page.locator("#reply-body").type("?")
    assert not dialog.is_visible()
    assert page.locator("#reply-counter [data-count]").inner_text() == "1"
    page.keyboard.press("Escape")  # leaves the text box
    page.keyboard.press("?")
    dialog.wait_for(state="visible")
    # (Japanese once the lead merges the catalogue; the English msgid until then.)
    heading = dialog.get_by_role("heading", level=2).inner_text()
    assert re.fullmatch("キーボードショートカット|Keyboard shortcuts", heading)
    assert page.get_by_role("dialog").count() == 1
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    # n switches to an internal note and focuses the box.
    page.keyboard.press("n")
    assert page.locator("#reply").get_attribute("data-mode") == "internal"
    assert page.locator("#reply-body").evaluate("el => el === document.activeElement")
