"""Real browser: an agent (Japanese UI) filters the inbox, saves the view, opens it from the
side menu with the same filters, and assigns two tickets at once from the bulk bar."""

from __future__ import annotations

import re

from madoguchi.tickets.models import SavedView, Ticket

from .browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def test_filter_save_view_and_bulk_assign(
    transactional_db,
    live_server,
    browser,
    make_agent,
    make_ticket,
):
    agent = make_agent("agent", "佐藤 花子", language="ja")
    mails = [
        make_ticket("email", email=f"m{n}@example.jp", subject=f"メールの問い合わせ{n}")
        for n in range(2)
    ]
    form = make_ticket("form", email="f@example.jp", subject="フォームの問い合わせ")
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("Username|ユーザー名")).fill(agent.user.username)
    page.get_by_label(re.compile("Password|パスワード")).fill("pass-1234-word")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "ja"

    # filter by channel: htmx swaps the results and pushes the URL
    page.locator("#f-channel").select_option("email")
    page.wait_for_url(re.compile(r"channel=email"))
    page.locator(f'tr[data-ticket-id="{form.pk}"]').wait_for(state="detached")
    assert page.locator("tr.ticket-row").count() == 2

    # save it
    page.locator("#save-view summary").click()
    page.locator("#sv-name").fill("メール窓口")
    page.locator("#save-view-form button[type=submit]").click()
    view = None
    page.wait_for_url(re.compile(r"saved=\d+"))
    view = SavedView.objects.get(owner=agent)
    assert view.filters["channel"] == "email"
    nav_link = page.locator(f'.sidenav a[data-saved-view="{view.pk}"]')
    assert nav_link.inner_text().strip() == "メール窓口"

    # go elsewhere, then open it from the nav: same filters
    page.goto(f"{live_server.url}/?view=")
    page.locator(f'tr[data-ticket-id="{form.pk}"]').wait_for()
    page.locator(f'.sidenav a[data-saved-view="{view.pk}"]').click()
    page.wait_for_url(re.compile(rf"saved={view.pk}"))
    assert page.locator("h1").inner_text().startswith("メール窓口")
    assert page.locator("#f-channel").input_value() == "email"
    assert page.locator("tr.ticket-row").count() == 2

    # bulk-assign both to me
    for ticket in mails:
        page.locator(f'tr[data-ticket-id="{ticket.pk}"] input[data-row-select]').check()
    assert page.locator("input[data-select-all]").is_checked()  # both rows on the page
    page.locator("#bulk-assignee").select_option(str(agent.pk))
    page.locator('#bulk-form button[value="assign"]').click()
    page.locator("#inbox-flash .alert-success").wait_for()
    assert "2" in page.locator("#inbox-flash").inner_text()
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {
        t.pk for t in mails
    }
    assert page.locator("#nav-count-mine").inner_text().strip() == "2"
    page.close()
