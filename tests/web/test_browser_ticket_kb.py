"""Real browser: an agent searches the help center from the reply box, inserts a link to an
article and sends the reply; the use is recorded and the customer's question waits in the
review queue as a proposed phrasing of that article."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, use_embedder

from .browser import BROWSER_MARKS, signed_in_page

pytestmark = BROWSER_MARKS


@pytest.fixture
def keyword_only() -> Iterator[None]:
    """Keyword search: the test is about the reply box, not the model (and stays fast)."""
    previous = use_embedder(UnavailableEmbedder())
    yield
    use_embedder(previous)


def test_search_insert_link_and_send_records_the_use_and_a_proposal(
    transactional_db, live_server, browser, make_agent, make_ticket, keyword_only
):  # type: ignore[no-untyped-def]
    from django.conf import settings

    from madoguchi.knowledge.models import (
        Article,
        ArticleTranslation,
        ArticleUse,
        PhrasingProposal,
    )
    from madoguchi.tickets.models import Message

    agent = make_agent("agent", "佐藤 花子", language="ja")
    ticket = make_ticket(
        "email", subject="返品について",
        body="お世話になっております。\n届いた商品を返品したいのですが、どうすればいいですか？\n"
        "よろしくお願いいたします。",
    )  # fmt: skip
    returns = Article.objects.create(brand=ticket.brand, status="published")
    ArticleTranslation.objects.create(
        article=returns, language="ja", title="返品・交換の方法",
        body="商品到着後**7日以内**にマイページからお申し込みください。", phrasings=["返品したい"],
    )  # fmt: skip
    other = Article.objects.create(brand=ticket.brand, status="published")
    ArticleTranslation.objects.create(
        article=other, language="ja", title="ポイントの有効期限", body="1年間有効です。"
    )

    page = signed_in_page(browser, live_server.url, agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.locator("body").press("h")
    search = page.locator("#kb-search")
    search.wait_for()
    assert search.evaluate("el => el === document.activeElement")
    search.type("返品")
    item = page.locator(f'#kb-results .kb-item[data-article-id="{returns.pk}"]')
    item.wait_for()
    assert page.locator("#kb-results .kb-item").count() == 1
    item.locator("button[data-kb-insert*='as=link']").click()
    url = f"{settings.PUBLIC_URL}/help/{ticket.brand.slug}/a/{returns.pk}/"
    page.wait_for_function(
        "url => document.querySelector('#reply-body').value.includes(url)", arg=url
    )
    assert page.locator('#kb-articles input[name="kb_articles"]').input_value() == str(returns.pk)
    assert "返品・交換の方法" in page.locator("#kb-status").inner_text()

    page.locator("#reply-body").press("End")
    page.locator("#reply-body").type("\nこちらからお手続きください。")
    page.locator("#reply button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/#message-\d+"))

    reply = Message.objects.get(ticket=ticket, author_agent=agent)
    use = ArticleUse.objects.get()
    assert (use.article_id, use.message_id, use.kind) == (returns.pk, reply.pk, "link")
    proposal = PhrasingProposal.objects.get()
    assert (proposal.article_id, proposal.status) == (returns.pk, "pending")
    assert proposal.text == "届いた商品を返品したいのですが、どうすればいいですか？"
