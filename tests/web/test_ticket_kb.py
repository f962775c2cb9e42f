"""Help-center articles on the ticket page: search from the reply box (logged as the agent's),
suggested articles, what Insert text / Insert link put into the reply, the reply recording the
use and a phrasing proposal, and who may do this (outsourced agents only for their brands)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.urls import reverse

from madoguchi.accounts.models import Team
from madoguchi.knowledge.models import ArticleUse, PhrasingProposal, SearchLog
from madoguchi.knowledge.vectors import refresh_brand_vectors
from madoguchi.tickets.models import Message, Ticket

from ..knowledge.helpcenter_data import HelpCenter, make_help_center

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(brand) -> HelpCenter:  # type: ignore[no-untyped-def]
    return make_help_center(brand)


def _search(client, ticket, q: str, session: str = "sess-0001-abcd"):  # type: ignore[no-untyped-def]
    url = reverse("web:ticket_kb_search", args=[ticket.pk])
    return client.get(url, {"q": q, "session": session})


def _insert(client, ticket, article, kind: str, **extra):  # type: ignore[no-untyped-def]
    url = reverse("web:ticket_kb_insert", args=[ticket.pk, article.pk])
    return client.get(url, {"as": kind, **extra})


def test_the_ticket_page_has_the_reply_box_panel_and_a_lazy_suggestions_slot(
    login, agent, make_ticket, center
):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email")
    html = login(agent).get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert 'id="kb-open"' in html and 'aria-keyshortcuts="h"' in html
    assert 'id="kb-panel"' in html and reverse("web:ticket_kb_search", args=[ticket.pk]) in html
    assert f'hx-get="{reverse("web:ticket_kb_suggestions", args=[ticket.pk])}"' in html
    assert "web/js/kb-reply.js" in html


def test_search_lists_the_brands_published_articles_and_marks_manuals(
    login, agent, make_ticket, center
):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email")
    client = login(agent)
    html = _search(client, ticket, "配送状況").content.decode()
    assert "配送状況の確認方法" in html
    assert "別ブランドの配送状況" not in html  # another brand's article
    assert f"/kb/articles/{center.tracking.pk}/insert/?as=link" in html
    manual = _search(client, ticket, "クレーム対応").content.decode()
    assert "クレーム対応マニュアル" in manual and "社内向け" in manual
    assert f"/kb/articles/{center.internal.pk}/insert/?as=text" in manual
    assert f"/kb/articles/{center.internal.pk}/insert/?as=link" not in manual
    draft = _search(client, ticket, "返品ポリシー").content.decode()
    assert "下書き" not in draft
    # one as-you-type session is one logged search, the last text wins
    rows = SearchLog.objects.filter(source="agent")
    assert rows.count() == 1 and rows.get().query == "返品ポリシー"
    assert rows.get().brand_id == ticket.brand_id
    _search(client, ticket, "返品", session="other-session-1")
    assert SearchLog.objects.filter(source="agent").count() == 2
    assert _search(client, ticket, "   ").content.decode().strip() == ""


def test_insert_text_is_plain_text_in_the_customers_language(login, agent, make_ticket, center):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email")
    client = login(agent)
    data = _insert(client, ticket, center.tracking, "text").json()
    assert data["id"] == center.tracking.pk and data["kind"] == "text"
    assert data["language"] == "ja" and data["title"] == "配送状況の確認方法"
    assert "マイページの「注文履歴」から配送状況を確認できます。" in data["text"]
    assert "**" not in data["text"] and "##" not in data["text"]
    assert data["text"].startswith("確認手順\n\nマイページ")
    ticket.customer.language = "en"
    ticket.customer.save()
    english = _insert(client, ticket, center.tracking, "text").json()
    assert english["language"] == "en" and english["text"] == "Open Order history in My page."
    # no English version: the brand's language
    assert _insert(client, ticket, center.days, "text").json()["language"] == "ja"


def test_insert_link_gives_the_public_url_with_the_title(login, agent, make_ticket, center):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email")
    client = login(agent)
    data = _insert(client, ticket, center.tracking, "link").json()
    url = f"{settings.PUBLIC_URL}/help/test-shop/a/{center.tracking.pk}/"
    assert data["text"] == f"配送状況の確認方法\n{url}"
    ticket.customer.language = "en"
    ticket.customer.save()
    english = _insert(client, ticket, center.tracking, "link").json()
    assert english["text"].endswith(f"/help/test-shop/en/a/{center.tracking.pk}/")
    assert english["text"].startswith("How to check your delivery status\n")


def test_insert_refuses_bad_input_with_translated_messages(login, agent, make_ticket, center):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email")
    client = login(agent, "en")
    internal = _insert(client, ticket, center.internal, "link")
    assert internal.status_code == 404
    assert "cannot be linked" in internal.json()["error"]
    assert _insert(client, ticket, center.other_brand, "text").status_code == 404
    assert _insert(client, ticket, center.draft, "text").status_code == 404
    bad = _insert(client, ticket, center.tracking, "pdf")
    assert bad.status_code == 422 and bad.json()["error"] == "Choose text or link."
    missing = client.get(
        reverse("web:ticket_kb_insert", args=[ticket.pk + 999, center.days.pk]), {"as": "text"}
    )
    assert missing.status_code == 404
    ja = login(agent, "ja")
    assert (
        _insert(ja, ticket, center.other_brand, "text").json()["error"] == "記事が見つかりません。"
    )


def test_an_insert_from_a_search_counts_as_its_click(login, agent, make_ticket, center):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email")
    client = login(agent)
    _search(client, ticket, "配送状況")
    row = SearchLog.objects.get(source="agent")
    assert center.tracking.pk in row.shown
    _insert(client, ticket, center.tracking, "link", log=row.pk)
    row.refresh_from_db()
    assert row.clicked_article_id == center.tracking.pk


def test_suggestions_for_the_customers_question_and_nothing_for_noise(
    login, agent, make_ticket, center
):  # type: ignore[no-untyped-def]
    refresh_brand_vectors(center.brand.pk)
    client = login(agent)
    ticket = make_ticket(
        "email", subject="荷物について",
        body="お世話になっております。\n先週注文した荷物がまだ届きません。今どこにありますか？",
    )  # fmt: skip
    url = reverse("web:ticket_kb_suggestions", args=[ticket.pk])
    html = client.get(url).content.decode()
    assert "配送状況の確認方法" in html
    assert f"/kb/articles/{center.tracking.pk}/insert/?as=link" in html
    assert html.count('class="kb-item"') <= 3
    noise = make_ticket(
        "email", email="x@example.jp", subject="ご挨拶",
        body="明日の天気は晴れでしょうか。週末は富士山に登る予定です。",
    )  # fmt: skip
    assert client.get(reverse("web:ticket_kb_suggestions", args=[noise.pk])).content == b""
    greetings = make_ticket(
        "email", email="y@example.jp", subject="", body="お世話になっております。"
    )
    assert client.get(reverse("web:ticket_kb_suggestions", args=[greetings.pk])).content == b""


def _reply(client, ticket, body: str, ids: list[object], mode: str = "public"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("web:ticket_reply", args=[ticket.pk]),
        {"mode": mode, "body": body, "set_status": "", "kb_articles": ids},
    )


def test_a_reply_with_inserted_articles_records_the_use_and_a_proposal(
    login, agent, make_ticket, center
):  # type: ignore[no-untyped-def]
    ticket = make_ticket(
        "email", subject="配送状況について",
        body="お世話になっております。\n荷物の追跡はどこでできますか？\nよろしくお願いいたします。",
    )  # fmt: skip
    client = login(agent)
    link = _insert(client, ticket, center.tracking, "link").json()["text"]
    text = _insert(client, ticket, center.days, "text").json()["text"]
    body = f"山田様\n\n{link}\n\n{text}"
    response = _reply(client, ticket, body, [center.tracking.pk, center.days.pk, "junk"])
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket, author_agent=agent)
    uses = {(u.article_id, u.kind) for u in ArticleUse.objects.filter(message=message)}
    assert uses == {(center.tracking.pk, "link"), (center.days.pk, "text")}
    proposals = PhrasingProposal.objects.order_by("article_id")
    assert [(p.article_id, p.text, p.status) for p in proposals] == [
        (center.tracking.pk, "荷物の追跡はどこでできますか？", "pending"),
        (center.days.pk, "荷物の追跡はどこでできますか？", "pending"),
    ]


def test_notes_and_refused_replies_record_nothing_and_keep_the_ids(
    login, agent, make_ticket, center
):  # type: ignore[no-untyped-def]
    ticket = make_ticket("email")
    client = login(agent, "en")
    link = _insert(client, ticket, center.tracking, "link").json()["text"]
    assert _reply(client, ticket, link, [center.tracking.pk], mode="internal").status_code == 302
    assert not ArticleUse.objects.exists() and not PhrasingProposal.objects.exists()
    refused = client.post(
        reverse("web:ticket_reply", args=[ticket.pk]),
        {"mode": "public", "body": link, "set_status": "", "cc": "not an address",
         "kb_articles": [center.tracking.pk]},
    )  # fmt: skip
    assert refused.status_code == 422
    assert f'name="kb_articles" value="{center.tracking.pk}"' in refused.content.decode()
    assert not ArticleUse.objects.exists()


def test_outsourced_agents_only_for_the_brands_they_work(
    login, make_agent, make_ticket, inboxes, center
):  # type: ignore[no-untyped-def]
    outsider = make_agent("outsourced")
    team = Team.objects.create(name="外部チーム")
    outsider.teams.add(team)
    ticket = make_ticket("email")
    client = login(outsider, "en")
    # not visible at all
    assert _search(client, ticket, "配送").status_code == 404
    # visible through the team, but the brand is not theirs
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    refused = _search(client, ticket, "配送")
    assert refused.status_code == 403 and "do not work for this brand" in refused.content.decode()
    assert _insert(client, ticket, center.tracking, "text").status_code == 403
    assert client.get(reverse("web:ticket_kb_suggestions", args=[ticket.pk])).status_code == 403
    page = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert 'id="kb-open"' not in page and "kb/suggestions" not in page  # no panel, no slot
    # granted the brand's inbox: allowed
    inboxes["email"].granted_agents.add(outsider)
    page = client.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert 'id="kb-open"' in page and "kb/suggestions" in page
    assert "配送状況の確認方法" in _search(client, ticket, "配送").content.decode()
    payload = json.loads(_insert(client, ticket, center.tracking, "link").content)
    assert payload["id"] == center.tracking.pk
