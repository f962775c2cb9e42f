"""Real browser: an admin grants an outsourced agent a second inbox in the settings."""

from __future__ import annotations

import re

from .browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def _sign_in(browser, url: str, username: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.get_by_label(re.compile("Username|ユーザー名")).fill(username)
    page.get_by_label(re.compile("Password|パスワード")).fill("pass-1234-word")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/")
    return page


def test_admin_grants_an_inbox_to_an_outsourced_agent(
    transactional_db, live_server, browser, make_agent, make_ticket, inboxes
):
    outsider = make_agent("outsourced", "外部 次郎", language="en")
    admin = make_agent("admin", "管理 太郎", language="en")
    inbox_a, inbox_b = inboxes["form"], inboxes["email"]
    outsider.granted_inboxes.set([inbox_a])
    ticket_a = make_ticket("form", subject="Inbox A question")
    ticket_b = make_ticket("email", email="b@example.jp", subject="Inbox B question")

    worker = _sign_in(browser, live_server.url, outsider.user.username)
    assert worker.locator(f'tr[data-ticket-id="{ticket_a.pk}"]').count() == 1
    assert worker.locator(f'tr[data-ticket-id="{ticket_b.pk}"]').count() == 0
    response = worker.goto(f"{live_server.url}/tickets/{ticket_b.pk}/")
    assert response is not None and response.status in (403, 404)
    assert "Inbox B question" not in worker.content()

    boss = _sign_in(browser, live_server.url, admin.user.username)
    boss.get_by_role("navigation").get_by_role("link", name="Agents and roles").click()
    boss.get_by_role("link", name="外部 次郎").click()
    panel = boss.locator("#agent-inboxes")
    box = panel.get_by_label(re.compile(rf"· {re.escape(inbox_b.name)}$"))
    assert not box.is_checked()
    box.check()
    panel.get_by_role("button", name="Save inbox access").click()
    boss.wait_for_url(re.compile(rf"/settings/agents/{outsider.pk}/$"))
    assert boss.locator(".flash-stack").inner_text().strip() == "Inbox access saved."
    assert (
        boss.locator("#agent-inboxes")
        .get_by_label(re.compile(rf"· {re.escape(inbox_b.name)}$"))
        .is_checked()
    )

    response = worker.goto(f"{live_server.url}/tickets/{ticket_b.pk}/")
    assert response is not None and response.status == 200
    assert "Inbox B question" in worker.content()
    worker.goto(f"{live_server.url}/")
    assert worker.locator(f'tr[data-ticket-id="{ticket_b.pk}"]').count() == 1


def test_macro_preview_updates_while_typing(
    transactional_db, live_server, browser, make_agent, make_ticket
):
    lead = make_agent("lead", "主任 花子", language="en")
    ticket = make_ticket("form", name="山田 太郎")
    page = _sign_in(browser, live_server.url, lead.user.username)
    page.goto(f"{live_server.url}/settings/macros/new/")
    preview = page.locator("[data-macro-preview]")
    preview.wait_for()
    page.locator("#id_body").fill("こんにちは ")
    page.get_by_role("button", name="{{customer.name}}").click()
    page.locator("#id_body").press("End")
    page.locator("#id_body").type(" 様、担当の{{agent.name}}です。")
    page.wait_for_function(
        "document.querySelector('[data-macro-preview]').textContent.includes('主任 花子です')"
    )
    assert "Rendered with sample values" in page.locator("#macro-preview").inner_text()
    page.locator("#preview-ticket").fill(f"#{ticket.number}")
    page.wait_for_function(
        "document.querySelector('[data-macro-preview]').textContent.includes('山田 太郎 様')"
    )
    assert preview.inner_text() == "こんにちは 山田 太郎 様、担当の主任 花子です。"
    page.locator("#id_name").fill("ご挨拶")
    page.get_by_role("button", name="Create macro").click()
    page.wait_for_url(f"{live_server.url}/settings/macros/")
    assert page.locator("table").get_by_role("link", name="ご挨拶").count() == 1
