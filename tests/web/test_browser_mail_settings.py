"""Real browser: an admin fills in an email inbox's IMAP settings, tests them against the test
Dovecot without saving, then opens the inbox's received-mail page."""

from __future__ import annotations

import re

from tests.mailserver.dovecot import DovecotServer, dovecot, imap_user  # noqa: F401

from .browser import BROWSER_MARKS, signed_in_page

pytestmark = BROWSER_MARKS


def test_admin_tests_imap_and_opens_the_mail_page(
    transactional_db,
    live_server,
    browser,
    make_agent,
    inboxes,
    dovecot: DovecotServer,  # noqa: F811
    imap_user: str,  # noqa: F811
):
    from madoguchi.connectors.email.inbound import receive

    admin = make_agent("admin", "管理 太郎", language="en")
    inbox = inboxes["email"]
    stored = receive(
        inbox.pk, b"garbage that is no mail", source="smtp"
    )  # one failed delivery to show
    page = signed_in_page(browser, live_server.url, admin, locale="en-US")
    page.goto(f"{live_server.url}/settings/inboxes/")
    page.locator(f'tr[data-inbox-id="{inbox.pk}"]').get_by_role("link", name=inbox.name).click()
    page.wait_for_url(re.compile(rf"/settings/inboxes/{inbox.pk}/$"))

    page.get_by_label("IMAP server").fill(dovecot.host)
    page.get_by_label("IMAP port").fill(str(dovecot.port))
    page.get_by_label("IMAP security").select_option("none")
    page.get_by_label("IMAP login").fill(imap_user)
    page.get_by_label("IMAP password").fill("not-the-password")
    page.get_by_role("button", name="Test IMAP").click()
    result = page.locator('[data-test-result="imap"]')
    result.wait_for()
    assert result.get_attribute("data-code") == "auth"
    assert "not-the-password" not in page.content()

    page.get_by_label("IMAP password").fill(dovecot.passwords[imap_user])
    page.get_by_role("button", name="Test IMAP").click()
    page.wait_for_selector('[data-test-result="imap"][data-code="ok"]')
    assert "Connected and signed in to the IMAP server." in result.inner_text()
    assert re.search(r"Folder INBOX\s+0 mails", result.inner_text())
    assert page.url.endswith(f"/settings/inboxes/{inbox.pk}/")  # nothing was submitted
    inbox.refresh_from_db()
    assert "imap_host" not in inbox.settings  # a test saves nothing

    page.get_by_role("link", name="Received mail and fetch status").click()
    page.wait_for_url(re.compile(rf"/settings/inboxes/{inbox.pk}/mail/$"))
    row = page.locator(f'tr[data-raw-mail-id="{stored.pk}"]')
    assert "Processing failed" in row.inner_text()
    page.get_by_role("link", name="Processing failed").click()
    page.wait_for_url(re.compile(r"\?state=failed$"))
    row.get_by_role("button", name="Re-process").click()
    page.wait_for_selector(f'tr[data-raw-mail-id="{stored.pk}"].raw-mail-reprocessed')
    assert "Processed again" in row.inner_text()
