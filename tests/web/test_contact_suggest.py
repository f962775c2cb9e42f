"""The contact form's article suggestions: the suggest and open endpoints, and a sent form
that records what it was shown."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from madoguchi.knowledge.deflection import shown_for_ticket
from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, use_embedder
from madoguchi.knowledge.engine.store import forget
from madoguchi.knowledge.models import Article, ContactDeflection, SearchLog, SearchSource
from madoguchi.tickets.models import Ticket
from tests.knowledge.helpcenter_data import make_help_center

pytestmark = pytest.mark.django_db
TOO_MANY = "Too many requests from your connection. Please wait a minute."


def ja(msgid: str) -> str:
    """The message as the shop's (Japanese) customers read it."""
    with translation.override("ja"):
        return translation.gettext(msgid)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    cache.clear()
    forget(everything=True)
    # keyword matching is enough for these questions; the semantic half has its own tests
    previous = use_embedder(UnavailableEmbedder())
    yield
    use_embedder(previous)
    cache.clear()
    forget(everything=True)


@pytest.fixture
def kb(brand, inboxes):  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def form_token(client) -> str:  # type: ignore[no-untyped-def]
    html = client.get(reverse("web:contact", args=["test-form"])).content.decode()
    return re.search(r'name="token" value="([0-9a-f-]{36})"', html).group(1)


def suggest(client, token: str, q: str, slug: str = "test-form"):  # type: ignore[no-untyped-def]
    return client.get(reverse("web:contact_suggest", args=[slug]), {"token": token, "q": q})


def open_url(article_id: int, token: str, slug: str = "test-form") -> str:
    return reverse("web:contact_article", args=[slug, article_id]) + f"?token={token}"


def test_form_page_loads_the_suggestions_only_when_there_are_articles(client, inboxes):
    html = client.get(reverse("web:contact", args=["test-form"])).content.decode()
    assert "data-suggest-url" not in html and "contact-suggest.js" not in html
    make_help_center(inboxes["form"].brand)
    html = client.get(reverse("web:contact", args=["test-form"])).content.decode()
    assert 'data-suggest-url="/contact/test-form/suggest/"' in html
    assert "contact-suggest.js" in html and 'id="contact-suggest"' in html
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert re.search(r'<section[^>]*id="contact-suggest"[^>]*hidden', html)  # until JS fills it


def test_a_japanese_question_gets_matching_articles_and_opens_a_visit(client, kb):
    token = form_token(client)
    response = suggest(client, token, "注文した荷物がまだ届かないのですが")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    results = response.json()["results"]
    assert results and results[0]["title"] == "配送状況の確認方法"
    assert results[0]["url"] == open_url(kb.tracking.pk, token)
    assert "snippet" in results[0]
    row = ContactDeflection.objects.get()
    assert row.token == token and row.shown == [r["id"] for r in results]
    log = SearchLog.objects.get()
    assert log.source == SearchSource.CONTACT_FORM and log.shown == row.shown


def test_drafts_internal_manuals_and_other_brands_never_appear(client, kb):
    token = form_token(client)
    hidden = {kb.draft.pk, kb.internal.pk, kb.other_brand.pk}
    for question in [
        "返品ポリシー（下書き）",
        "クレーム対応マニュアル 担当者向け",
        "別ブランドの配送状況",
    ]:
        ids = {r["id"] for r in suggest(client, token, question).json()["results"]}
        assert not ids & hidden, question
    assert not set(ContactDeflection.objects.get().shown) & hidden


def test_too_short_text_answers_nothing_and_records_nothing(client, kb):
    response = suggest(client, form_token(client), " 荷 ")
    assert response.status_code == 200 and response.json()["results"] == []
    assert not ContactDeflection.objects.exists() and not SearchLog.objects.exists()


@pytest.mark.parametrize("token", ["", "forged", "1" * 37, "../admin"])
def test_bad_token_is_400_with_a_message(client, kb, token):
    response = suggest(client, token, "荷物がまだ届かない")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_token"
    assert error["message"] == ja("The form expired. Please reload the page.")
    assert not ContactDeflection.objects.exists() and not SearchLog.objects.exists()


def test_too_long_text_is_400_and_unknown_form_404(client, kb, inboxes):
    token = form_token(client)
    response = suggest(client, token, "あ" * 1001)
    assert response.status_code == 400 and response.json()["error"]["code"] == "text_too_long"
    assert suggest(client, token, "荷物", slug="no-such-form").status_code == 404
    # an email inbox has no contact form
    response = suggest(client, token, "荷物", slug=inboxes["email"].slug)
    assert response.status_code == 404 and response.json()["error"]["code"] == "form_not_found"
    inboxes["form"].is_active = False
    inboxes["form"].save()
    assert suggest(client, token, "荷物がまだ届かない").status_code == 404
    assert not ContactDeflection.objects.exists()


def test_too_many_requests_is_429_with_a_message(client, kb, settings):
    settings.KB_SEARCH_RATE_LIMIT_PER_MINUTE = 2
    token = form_token(client)
    assert suggest(client, token, "荷物").status_code == 200
    assert suggest(client, token, "荷物が").status_code == 200
    response = suggest(client, token, "荷物がまだ")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["message"] == ja(TOO_MANY)
    assert ContactDeflection.objects.get().last_query == "荷物が"


def test_open_records_the_click_and_redirects_to_the_public_article(client, kb):
    token = form_token(client)
    suggest(client, token, "荷物がまだ届かない")
    response = client.get(open_url(kb.tracking.pk, token))
    assert response.status_code == 302
    assert response["Location"] == f"/help/test-shop/a/{kb.tracking.pk}/"
    row = ContactDeflection.objects.get()
    assert row.clicked == [kb.tracking.pk] and row.first_clicked_at is not None
    assert SearchLog.objects.get().clicked_article_id == kb.tracking.pk
    assert client.get(open_url(kb.tracking.pk, token)).status_code == 302  # again: same row
    assert ContactDeflection.objects.get().clicked == [kb.tracking.pk]


def test_open_in_english_goes_to_the_english_page(client, kb):
    session = client.session
    session["language"] = "en"
    session.save()
    token = form_token(client)
    suggest(client, token, "delivery status")
    response = client.get(open_url(kb.tracking.pk, token))
    assert response.status_code == 302
    assert response["Location"] == f"/help/test-shop/en/a/{kb.tracking.pk}/"


def test_open_refuses_bad_tokens_unknown_and_unshown_articles(client, kb):
    # Off the common-questions bank, the double-order article shares no word with the
    # question below, so that search does not show it.
    Article.objects.filter(pk=kb.double_order.pk).update(common_questions=False)
    token = form_token(client)
    suggest(client, token, "荷物がまだ届かない")
    shown = ContactDeflection.objects.get().shown
    assert kb.tracking.pk in shown and kb.double_order.pk not in shown

    bad = client.get(open_url(kb.tracking.pk, "forged"))
    assert bad.status_code == 400 and "data-error-message" in bad.content.decode()
    assert client.get(open_url(kb.double_order.pk, token)).status_code == 404  # not shown
    assert client.get(open_url(kb.tracking.pk, str(uuid.uuid4()))).status_code == 404
    assert client.get(open_url(999999, token)).status_code == 404
    assert client.get(open_url(10**30, token)).status_code == 404  # beyond any integer column
    assert client.get(open_url(kb.internal.pk, token)).status_code == 404
    assert client.get(open_url(kb.tracking.pk, token, slug="no-such-form")).status_code == 404
    kb.tracking.status = "draft"  # unpublished after it was shown
    kb.tracking.save()
    response = client.get(open_url(kb.tracking.pk, token))
    assert response.status_code == 404
    assert ja("There is no such article.") in response.content.decode()
    assert ContactDeflection.objects.get().clicked == []


def test_open_is_rate_limited(client, kb, settings):
    token = form_token(client)
    suggest(client, token, "荷物がまだ届かない")
    settings.KB_SEARCH_RATE_LIMIT_PER_MINUTE = 1
    assert client.get(open_url(kb.tracking.pk, token)).status_code == 302
    response = client.get(open_url(kb.tracking.pk, token))
    assert response.status_code == 429 and ja(TOO_MANY) in response.content.decode()


def _form(token: str) -> dict[str, str]:
    return {
        "name": "山田 太郎",
        "email": "taro@example.jp",
        "category": "order",
        "subject": "荷物がまだ届かない",
        "body": "5月1日に注文した商品がまだ届きません。",
        "website": "",
        "token": token,
    }


def test_sending_the_form_links_the_ticket_to_the_articles_it_was_shown(client, kb):
    token = form_token(client)
    shown = [r["id"] for r in suggest(client, token, "荷物がまだ届かない").json()["results"]]
    client.get(open_url(kb.tracking.pk, token))
    response = client.post(reverse("web:contact", args=["test-form"]), _form(token))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    row = ContactDeflection.objects.get()
    assert row.ticket_id == ticket.pk and row.submitted_at is not None
    listed = shown_for_ticket(ticket)
    assert [s.article_id for s in listed] == shown
    assert [s.clicked for s in listed] == [s.article_id == kb.tracking.pk for s in listed]
    # sending twice (the same token) is still one ticket and one link
    assert client.post(reverse("web:contact", args=["test-form"]), _form(token)).status_code == 302
    assert Ticket.objects.count() == 1 and ContactDeflection.objects.get().ticket_id == ticket.pk


def test_a_form_sent_without_suggestions_works_as_before(client, kb):
    response = client.post(reverse("web:contact", args=["test-form"]), _form(form_token(client)))
    assert response.status_code == 302
    assert Ticket.objects.count() == 1 and not ContactDeflection.objects.exists()


def test_the_ticket_partial_lists_shown_articles_and_the_opened_marker(client, kb):
    from django.template.loader import render_to_string

    token = form_token(client)
    suggest(client, token, "荷物がまだ届かない")
    client.get(open_url(kb.tracking.pk, token))
    client.post(reverse("web:contact", args=["test-form"]), _form(token))
    with translation.override("en"):
        html = render_to_string(
            "web/ticket/_shown_articles.html",
            {"shown_articles": shown_for_ticket(Ticket.objects.get())},
        )
    assert "Articles shown before the customer wrote" in html
    item = re.search(rf'<li data-article-id="{kb.tracking.pk}">(.*?)</li>', html, re.S)
    assert item and f'href="/help/test-shop/a/{kb.tracking.pk}/"' in item.group(1)
    assert "data-opened" in item.group(1)
    assert render_to_string("web/ticket/_shown_articles.html", {"shown_articles": []}).strip() == ""


def test_the_ticket_page_shows_what_the_form_showed(client, kb, admin):
    token = form_token(client)
    suggest(client, token, "荷物がまだ届かない")
    client.post(reverse("web:contact", args=["test-form"]), _form(token))
    ticket = Ticket.objects.get()
    client.force_login(admin.user)
    html = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert "data-shown-articles" in html
    assert f'<li data-article-id="{kb.tracking.pk}">' in html
