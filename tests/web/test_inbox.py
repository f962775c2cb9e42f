"""The inbox list: views, filters, search, keyset pagination, bad parameters, query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from madoguchi.tickets.actions import do_reply, do_update_ticket

pytestmark = pytest.mark.django_db


def test_views_and_filters(login, agent, make_ticket):
    delivery = make_ticket(subject="配送状況の確認", body="荷物が届きません")
    login_issue = make_ticket("email", email="k@example.jp", name="小林", subject="ログイン",
                              body="ﾛｸﾞｲﾝできません")  # fmt: skip
    do_update_ticket(agent, login_issue.pk, {"assignee_id": agent.pk, "priority": "urgent"})
    client = login(agent)

    def numbers(query: str) -> set[int]:
        html = client.get(reverse("web:inbox") + query).content.decode()
        return {t.number for t in (delivery, login_issue) if f"#{t.number}" in html}

    assert numbers("") == {delivery.number, login_issue.number}
    assert numbers("?view=mine") == {login_issue.number}
    assert numbers("?view=unassigned") == {delivery.number}
    assert numbers("?view=&priority=urgent") == {login_issue.number}
    assert numbers("?view=&channel=email") == {login_issue.number}
    assert numbers("?view=&assignee=me") == {login_issue.number}
    assert numbers("?view=&assignee=none") == {delivery.number}
    assert numbers("?view=&q=ログイン") == {login_issue.number}
    assert numbers(f"?view=&q=%23{delivery.number}") == {delivery.number}
    assert numbers("?view=solved") == set()
    # what the filter form sends: every field, most of them empty
    everything = (
        "?view=unsolved&q=&status=&inbox=&brand=&channel=email&assignee=&team=&priority="
        "&tag=&order=newest"
    )
    assert numbers(everything) == {login_issue.number}
    empty = client.get(reverse("web:inbox") + "?view=solved").content.decode()
    assert 'class="empty"' in empty


def test_htmx_filter_request_returns_only_the_results(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent)
    response = client.get(
        reverse("web:inbox") + "?view=&q=配送",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="inbox-results",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"#{ticket.number}" in html and "<html" not in html


def test_keyset_pagination(login, agent, make_ticket, monkeypatch):
    from madoguchi.web.views import inbox as view

    tickets = [make_ticket(email=f"p{n}@example.jp", subject=f"件名{n}") for n in range(5)]
    monkeypatch.setattr(view, "PAGE_SIZE", 2)
    client = login(agent)
    seen: list[int] = []
    url = reverse("web:inbox") + "?view="
    for _ in range(5):
        html = client.get(url).content.decode()
        seen += [t.number for t in tickets if f"#{t.number}<" in html or f"#{t.number} " in html]
        if 'rel="next"' not in html:
            break
        url = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert sorted(seen) == sorted(t.number for t in tickets)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "query", ["?status=bogus", "?cursor=not-a-cursor", "?order=sideways", "?inbox=abc"]
)
def test_bad_parameters_are_a_422_not_a_500(login, agent, query):
    client = login(agent)
    response = client.get(reverse("web:inbox") + query)
    assert response.status_code == 422
    assert "alert-error" in response.content.decode()


def _count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(login, agent, make_ticket):
    from madoguchi.accounts.models import Team

    team = Team.objects.create(name="一次対応")
    client = login(agent)
    first = make_ticket(email="q0@example.jp")
    do_reply(agent, first.pk, "返信です。")
    do_reply(agent, first.pk, "メモです。", internal=True)
    # Every kind of timeline row is present before measuring: names are looked up per kind.
    do_update_ticket(agent, first.pk, {"assignee_id": agent.pk, "team_id": team.pk})
    inbox_few = _count_queries(client, reverse("web:inbox"))
    ticket_few = _count_queries(client, reverse("web:ticket", args=[first.pk]))
    for n in range(1, 6):
        make_ticket(email=f"q{n}@example.jp")
        make_ticket(email="q0@example.jp", ticket=first, body=f"追加のメッセージ{n}")
        do_reply(agent, first.pk, f"返信{n}")
    do_update_ticket(agent, first.pk, {"priority": "high", "assignee_id": None, "team_id": None})
    assert _count_queries(client, reverse("web:inbox")) == inbox_few
    assert _count_queries(client, reverse("web:ticket", args=[first.pk])) == ticket_few
