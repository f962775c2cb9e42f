"""Real browser: a customer writes the contact form, sees help articles suggested under the
message while typing, opens one in a new tab (the click is recorded, the draft stays), then
sends the form anyway; the ticket records the articles it was shown."""

from __future__ import annotations

import re

from .browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def test_contact_form_suggests_articles_and_records_the_deflection(
    transactional_db, live_server, browser, brand, inboxes
):
    from django.core.cache import cache

    from madoguchi.knowledge.deflection import shown_for_ticket
    from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, use_embedder
    from madoguchi.knowledge.engine.store import forget
    from madoguchi.knowledge.models import ContactDeflection
    from madoguchi.tickets.models import Ticket
    from tests.knowledge.helpcenter_data import make_help_center

    cache.clear()
    forget(everything=True)
    previous = use_embedder(UnavailableEmbedder())  # keyword matching answers this question
    try:
        kb = make_help_center(brand)
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ja-JP")
        page.goto(f"{live_server.url}/contact/test-form/")
        panel = page.locator("#contact-suggest")
        assert panel.is_hidden()
        page.fill("#id_name", "鈴木 美咲")
        page.fill("#id_email", "misaki@example.jp")
        page.select_option("#id_category", "order")
        page.locator("#id_subject").press_sequentially("荷物がまだ届かない", delay=20)

        link = page.locator("#contact-suggest-list a").first
        link.wait_for(timeout=5000)
        assert panel.is_visible()
        assert "配送状況の確認方法" in link.inner_text()
        assert page.locator("#contact-suggest-status").inner_text().strip()
        assert link.get_attribute("target") == "_blank"

        with page.context.expect_page() as opened:
            link.click()
        article = opened.value
        article.wait_for_load_state()
        assert re.search(rf"/help/test-shop/a/{kb.tracking.pk}/$", article.url)
        assert article.inner_text("h1") == "配送状況の確認方法"
        row = ContactDeflection.objects.get()
        assert row.clicked == [kb.tracking.pk] and row.first_clicked_at is not None
        assert row.ticket_id is None
        article.close()

        # back on the form: the draft is still there and the article is marked as opened
        assert page.input_value("#id_subject") == "荷物がまだ届かない"
        assert page.locator(".contact-suggest-item.is-opened").count() == 1
        page.fill("#id_body", "記事を読みましたが、追跡番号が表示されません。")
        page.locator(".contact-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/contact/test-form/thanks/"))

        ticket = Ticket.objects.get()
        assert ContactDeflection.objects.get().ticket_id == ticket.pk
        shown = shown_for_ticket(ticket)
        assert shown[0].article_id == kb.tracking.pk and shown[0].clicked
    finally:
        use_embedder(previous)
        forget(everything=True)
