"""The inbox's saved views, bulk bar, unread markers, date filter and a flat query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from madoguchi.tickets.actions import do_create_saved_view, do_update_ticket
from madoguchi.tickets.models import SavedView, Ticket
from madoguchi.tickets.reading import do_mark_read

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "inbox-results"}


def _numbers(html: str, *tickets: Ticket) -> set[int]:
    return {t.number for t in tickets if f"#{t.number}</span>" in html}


def test_save_a_view_then_open_it_from_the_nav(login, agent, make_ticket):
    mail = make_ticket("email", email="m@example.jp", subject="メールの件")
    form = make_ticket("form", email="f@example.jp", subject="フォームの件")
    client = login(agent, "en")
    response = client.post(
        reverse("web:saved_view_save"),
        {"name": "メールだけ", "query": "view=unsolved&channel=email&order=waiting&q="},
    )
    view = SavedView.objects.get(owner=agent)
    assert view.filters == {"view": "unsolved", "channel": "email", "order": "waiting"}
    assert response.status_code == 302 and response["Location"].endswith(f"saved={view.pk}")

    page = client.get(response["Location"]).content.decode()
    assert "<h1>メールだけ" in page
    assert f'data-saved-view="{view.pk}"' in page and 'aria-current="page" data-saved-view' in page
    assert _numbers(page, mail, form) == {mail.number}
    assert 'name="order"' in page and '<option value="waiting" selected>' in page


def test_save_view_bad_input_is_4xx(login, agent):
    client = login(agent, "en")
    url = reverse("web:saved_view_save")
    assert client.post(url, {"name": "", "query": "view="}).status_code == 422
    assert client.post(url, {"name": "x", "query": "view=&bogus=1"}).status_code == 422
    assert client.post(url, {"name": "x", "query": "view=", "shared": "on"}).status_code == 403
    assert client.post(url, {"name": "x", "query": "view="}).status_code == 302
    assert client.post(url, {"name": "x", "query": "view="}).status_code == 409
    assert SavedView.objects.count() == 1


def test_manage_page_rename_move_delete(login, agent, make_agent):
    lead = make_agent("lead", "リーダー")
    a = do_create_saved_view(agent, "A", {})
    b = do_create_saved_view(agent, "B", {"tag": "返品"})
    shared = do_create_saved_view(lead, "共有ビュー", {"priority": "urgent"}, shared=True)
    client = login(agent, "en")
    page = client.get(reverse("web:saved_views")).content.decode()
    assert "共有ビュー" in page and f'action="/settings/views/{shared.pk}/delete/"' not in page
    client.post(reverse("web:saved_view_edit", args=[a.pk]), {"name": "AA", "shared": "on"})
    a.refresh_from_db()
    assert (a.name, a.shared) == ("AA", False)  # an agent cannot share: the box is ignored
    client.post(reverse("web:saved_view_move", args=[b.pk]), {"direction": "up"})
    assert [v.name for v in SavedView.objects.filter(owner=agent)] == ["B", "AA"]
    assert client.post(reverse("web:saved_view_delete", args=[shared.pk])).status_code == 403
    assert client.post(reverse("web:saved_view_delete", args=[a.pk])).status_code == 302
    assert not SavedView.objects.filter(pk=a.pk).exists()
    assert client.get(reverse("web:saved_view_delete", args=[b.pk])).status_code == 405


def test_bulk_assign_refreshes_results_counts_and_says_what_was_done(login, agent, make_ticket):
    tickets = [make_ticket(email=f"b{n}@example.jp", subject=f"一括{n}") for n in range(3)]
    client = login(agent, "en")
    response = client.post(
        reverse("web:inbox_bulk"),
        {
            "tickets": [tickets[0].pk, tickets[1].pk],
            "action": "assign",
            "assignee": str(agent.pk),
            "team": "",
            "query": "view=unassigned",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Updated 2 tickets." in html
    assert 'id="nav-count-mine" hx-swap-oob="true">2<' in html
    assert _numbers(html, *tickets) == {tickets[2].number}  # the unassigned view, refreshed
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {
        tickets[0].pk,
        tickets[1].pk,
    }


def test_bulk_status_tag_and_merge(login, agent, make_ticket):
    tickets = [make_ticket(email=f"s{n}@example.jp") for n in range(3)]
    ids = [t.pk for t in tickets]
    client = login(agent, "en")
    url = reverse("web:inbox_bulk")
    ok = client.post(url, {"tickets": ids, "action": "tag", "tag": "キャンペーン"}, **HTMX)
    assert ok.status_code == 200
    assert Ticket.objects.filter(pk__in=ids, tags__name="キャンペーン").count() == 3
    client.post(url, {"tickets": ids, "action": "status", "status": "pending"}, **HTMX)
    assert Ticket.objects.filter(pk__in=ids, status="pending").count() == 3
    merged = client.post(url, {"tickets": ids, "action": "merge", "target": ids[0]}, **HTMX)
    assert merged.status_code == 200
    assert f"Merged 2 tickets into #{tickets[0].number}." in merged.content.decode()
    assert Ticket.objects.filter(merged_into_id=ids[0]).count() == 2


def test_bulk_errors_are_clear_4xx_and_change_nothing(login, agent, make_agent, make_ticket):
    tickets = [make_ticket(email=f"e{n}@example.jp") for n in range(2)]
    ids = [t.pk for t in tickets]
    client = login(agent, "en")
    url = reverse("web:inbox_bulk")
    cases = [
        ({"action": "status", "status": "open"}, 422),  # nothing selected
        ({"tickets": ids, "action": "status", "status": ""}, 422),
        ({"tickets": ids, "action": "assign"}, 422),
        ({"tickets": ids, "action": "explode"}, 422),
        ({"tickets": list(range(1, 102)), "action": "status", "status": "open"}, 422),
        ({"tickets": [*ids, 999999], "action": "status", "status": "open"}, 404),
        ({"tickets": ids, "action": "merge", "target": ""}, 422),
    ]
    for data, status in cases:
        response = client.post(url, data, **HTMX)
        assert response.status_code == status, (data, response.content[:300])
        assert "data-error-message" in response.content.decode()
    viewer = login(make_agent("viewer"), "en")
    assert (
        viewer.post(url, {"tickets": ids, "action": "status", "status": "open"}).status_code == 302
    )
    assert not Ticket.objects.filter(pk__in=ids, status="open").exists()
    # without htmx: back to the inbox with a message
    plain = client.post(
        url, {"tickets": ids, "action": "status", "status": "open", "query": "view="}
    )
    assert plain.status_code == 302 and plain["Location"] == "/?view="


def test_unread_marker(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent, "en")
    html = client.get(reverse("web:inbox")).content.decode()
    assert 'is-unread" data-ticket-id' in html and "Unread:" in html
    do_mark_read(agent, ticket)
    html = client.get(reverse("web:inbox")).content.decode()
    assert "is-unread" not in html
    make_ticket(ticket=ticket, body="追加の質問です")  # the customer writes again
    assert "is-unread" in client.get(reverse("web:inbox")).content.decode()


def test_created_date_filter_and_sort(login, agent, make_ticket):
    old = make_ticket(email="old@example.jp")
    new = make_ticket(email="new@example.jp")
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    client = login(agent, "en")
    today = timezone.localdate().isoformat()
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    html = client.get(reverse("web:inbox") + f"?view=&created_from={today}").content.decode()
    assert _numbers(html, old, new) == {new.number}
    html = client.get(reverse("web:inbox") + f"?view=&created_to={week_ago}").content.decode()
    assert _numbers(html, old, new) == {old.number}
    bad = client.get(reverse("web:inbox") + f"?view=&created_from={today}&created_to={week_ago}")
    assert bad.status_code == 422
    assert client.get(reverse("web:inbox") + "?created_from=yesterday").status_code == 422
    for order in ("newest", "oldest", "waiting", "priority"):
        assert client.get(reverse("web:inbox") + f"?view=&order={order}").status_code == 200


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("order", ["newest", "waiting", "priority"])
def test_query_count_does_not_grow_with_rows(login, agent, make_agent, make_ticket, order):
    lead = make_agent("lead")
    do_create_saved_view(agent, "自分", {"channel": "form"})
    do_create_saved_view(lead, "共有", {"priority": "urgent"}, shared=True)
    client = login(agent)

    def add(n: int) -> None:
        ticket = make_ticket(email=f"qc{n}@example.jp")
        do_update_ticket(agent, ticket.pk, {"add_tags": [f"タグ{n % 4}", "共通"]})
        if n % 2:
            do_mark_read(agent, ticket)

    for n in range(3):
        add(n)
    url = reverse("web:inbox") + f"?view=&order={order}"
    few = _count(client, url)
    for n in range(3, 40):
        add(n)
    html = client.get(url).content.decode()
    assert html.count('class="ticket-row') == 40 and "is-unread" in html and "タグ3" in html
    assert _count(client, url) == few
    assert _count(client, url + "&saved=1") == few + 1  # the saved view's title


def test_save_into_the_open_view(login, agent):
    view = do_create_saved_view(agent, "メール", {"channel": "email"})
    client = login(agent, "en")
    page = client.get(reverse("web:inbox") + f"?view=&channel=email&saved={view.pk}")
    assert f'name="replace" value="{view.pk}" checked' in page.content.decode()
    response = client.post(
        reverse("web:saved_view_save"),
        {"name": "メール", "query": "view=&channel=email&priority=high", "replace": view.pk},
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert view.filters == {"view": "", "channel": "email", "priority": "high"}
    assert SavedView.objects.count() == 1


def test_view_counts_are_not_part_of_the_page_but_of_the_counts_endpoint(login, agent, make_ticket):  # type: ignore[no-untyped-def]
    """A scoped agent's seven view counts cost more than the page at 1M tickets, so the page
    ships empty count slots and live.js fills them from /live/counts/ right after load."""
    make_ticket("email")
    client = login(agent)
    html = client.get(reverse("web:inbox")).content.decode()
    assert '<span class="count" id="nav-count-unsolved"></span>' in html
    counts = client.get("/live/counts/").json()
    assert counts["views"]["unsolved"]["label"] == "1"


def test_rows_escape_everything_the_customer_wrote(login, agent, make_ticket):  # type: ignore[no-untyped-def]
    """The list's rows are built in Python (inbox_rows.py): subject, preview, name and tags
    must come out escaped there, as the template engine would have done."""
    ticket = make_ticket(
        "email",
        name='"><img src=x onerror=alert(1)>',
        subject="<b>至急</b> & 'quote'",
        body="<script>alert('x')</script> 本文",
    )
    ticket.tags.create(name="<i>タグ</i>")
    html = login(agent).get(reverse("web:inbox") + "?view=").content.decode()
    assert "<b>至急</b>" not in html and "&lt;b&gt;至急&lt;/b&gt; &amp; &#x27;quote&#x27;" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<i>タグ</i>" not in html and "&lt;i&gt;タグ&lt;/i&gt;" in html


def test_shared_view_of_an_inbox_not_granted_is_not_offered(login, make_agent, inboxes):  # type: ignore[no-untyped-def]
    """A lead's shared view filtered to one inbox would only give an outsourced agent without
    that inbox a filter error, so their nav leaves it out; views without an inbox stay."""
    lead = make_agent("lead", "田中 美咲")
    line_view = do_create_saved_view(
        lead, "LINEの未解決", {"view": "unsolved", "inbox": str(inboxes["line"].pk)}, shared=True
    )
    all_view = do_create_saved_view(lead, "優先度：高", {"priority": "high"}, shared=True)
    outsourced = make_agent("outsourced", "委託 太郎")
    inboxes["email"].granted_agents.add(outsourced)

    html = login(outsourced).get(reverse("web:inbox")).content.decode()
    assert f'data-saved-view="{all_view.pk}"' in html
    assert f'data-saved-view="{line_view.pk}"' not in html

    inboxes["line"].granted_agents.add(outsourced)
    html = login(outsourced).get(reverse("web:inbox")).content.decode()
    assert f'data-saved-view="{line_view.pk}"' in html
    lead_html = login(lead).get(reverse("web:inbox")).content.decode()
    assert f'data-saved-view="{line_view.pk}"' in lead_html
