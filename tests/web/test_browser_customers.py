"""Real browser: the phone desk's caller pop-up and the customer CSV import.

The import runs as a django-tasks task. The test settings use the DummyBackend, which stores
the enqueued task and runs nothing, so after confirming the mapping the test does what the
worker process does: it calls the task's function (run_import) for the queued import. The
page's htmx polling then has to pick the outcome up by itself.
"""

from __future__ import annotations

import re

from .browser import BROWSER_MARKS, signed_in_page

pytestmark = BROWSER_MARKS


def _signed_in_page(browser, live_server, agent):  # type: ignore[no-untyped-def]
    return signed_in_page(browser, live_server.url, agent)


def test_phone_desk_finds_the_caller_and_logs_to_the_open_ticket(
    transactional_db, live_server, browser, make_agent, make_ticket
):
    agent = make_agent("agent", "佐藤 花子")
    ticket = make_ticket("email", phone="+81 90 1234 5678", subject="サイズ交換のお願い")
    page = _signed_in_page(browser, live_server, agent)
    page.goto(f"{live_server.url}/calls/new/")
    # The number field has the focus: the agent just types, here in full-width digits.
    assert page.evaluate("document.activeElement.name") == "number"
    page.keyboard.type("０９０ー１２３４ー５６７８")
    target = page.locator(f'input[name="call_target"][value="ticket:{ticket.number}"]')
    target.wait_for()
    assert "山田 太郎" in page.inner_text(".caller-card")
    assert "サイズ交換のお願い" in page.inner_text(".caller-card")
    target.check()
    assert page.input_value("#id_ticket_number") == f"#{ticket.number}"
    page.fill("#id_summary", "電話で交換希望サイズ（L）を確認。")
    page.locator("#id_summary").press("Control+Enter")
    page.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/$"))

    from madoguchi.tickets.models import Ticket

    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(body_text="電話で交換希望サイズ（L）を確認。").exists()


def _import(page, live_server, content: bytes):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/customers/import/")
    page.set_input_files(
        "input[name=file]", files=[{"name": "顧客.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/customers/import/\d+/$"))
    assert page.locator("#col-0").input_value() == "name"
    assert page.locator("#col-1").input_value() == "email"
    page.locator("main form button[type=submit]").click()
    page.locator('#import-progress[data-status="queued"]').wait_for()

    from madoguchi.customers.import_run import run_import
    from madoguchi.customers.models import CustomerImport

    job = CustomerImport.objects.order_by("-id").first()
    assert run_import(job.pk) in ("done", "rejected")  # the worker's part


def test_customer_import_rejects_a_bad_file_then_imports_the_fixed_one(
    transactional_db, live_server, browser, make_agent
):
    from madoguchi.customers.models import Customer

    page = _signed_in_page(browser, live_server, make_agent("agent"))
    bad = (
        "氏名,メールアドレス,電話番号\r\n"
        "髙橋 一郎,ichiro@example.jp,03-1234-5678\r\n"
        "①商店,not-mail,\r\n"
    )
    _import(page, live_server, bad.encode("cp932"))
    page.locator('#import-progress[data-status="rejected"]').wait_for()
    cells = page.locator(".import-errors tbody tr").first.locator("td").all_inner_texts()
    assert cells[:2] == ["3", "メールアドレス"] and "not-mail" in cells[2]
    assert not Customer.objects.exists()

    fixed = bad.replace("not-mail", "shop@example.jp")
    _import(page, live_server, fixed.encode("cp932"))
    page.locator('#import-progress[data-status="done"]').wait_for()
    assert page.locator(".import-bar").get_attribute("value") == "100"
    assert set(Customer.objects.values_list("name", flat=True)) == {"髙橋 一郎", "①商店"}


def test_profile_edits_in_place_and_a_taken_handle_leads_to_the_merge(
    transactional_db, live_server, browser, make_agent, make_ticket
):
    from madoguchi.customers.models import Customer

    mine = make_ticket("email", email="taro@example.jp", name="山田 太郎").customer
    theirs = make_ticket("email", email="hanako@example.jp", name="山田 花子").customer
    page = _signed_in_page(browser, live_server, make_agent("agent"))
    page.goto(f"{live_server.url}/customers/{mine.pk}/")
    # A custom field added with the keyboard, saved in place.
    page.locator("[data-add-custom-field]").click()
    page.keyboard.type("会員ランク")
    page.keyboard.press("Tab")
    page.keyboard.type("ゴールド")
    page.keyboard.press("Enter")
    page.locator('#customer-fields input[value="ゴールド"]').wait_for()
    assert Customer.objects.get(pk=mine.pk).custom_fields == {"会員ランク": "ゴールド"}
    # A handle that belongs to someone else: a clear refusal that offers the merge.
    page.fill("#identity-value", "HANAKO@example.jp")
    page.locator(".identity-add button").click()
    link = page.locator("#customer-identities .alert-error a")
    link.wait_for()
    assert str(theirs.pk) in page.inner_text("#customer-identities .alert-error")
    link.click()
    page.locator(".merge-preview").wait_for()
    assert "hanako@example.jp" in page.inner_text(".merge-table")
    page.locator(".merge-preview button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/customers/{theirs.pk}/$"))
    assert Customer.objects.get(pk=mine.pk).merged_into_id == theirs.pk
    assert Customer.objects.get(pk=theirs.pk).custom_fields == {"会員ランク": "ゴールド"}
