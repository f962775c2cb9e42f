"""The ticket workspace: channel-aware reply box, macro send, @mentions, next/previous ticket,
the shortcut help, and a query count that does not grow with the conversation."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from madoguchi.customers.models import Identity
from madoguchi.tickets.actions import do_reply, do_update_ticket
from madoguchi.tickets.actions.replies import NewAttachment
from madoguchi.tickets.models import Macro, Message, Ticket

pytestmark = pytest.mark.django_db


def _post(client, ticket, **data):  # type: ignore[no-untyped-def]
    payload = {"mode": "public", "set_status": "", "body": ""}
    payload.update(data)
    return client.post(reverse("web:ticket_reply", args=[ticket.pk]), payload)


def _page(client, ticket, **params) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("web:ticket", args=[ticket.pk]), params).content.decode()


def test_email_reply_box_offers_the_customers_addresses_cc_and_subject(login, agent, make_ticket):
    ticket = make_ticket("email", subject="領収書の再発行")
    Identity.objects.create(
        customer=ticket.customer, kind="email", handle="taro.work@example.co.jp"
    )
    client = login(agent)
    html = _page(client, ticket)
    assert 'name="cc"' in html and 'value="Re: 領収書の再発行"' in html
    assert '<option value="taro.work@example.co.jp"' in html and "taro@example.jp" in html
    assert "data-limit" not in html  # mail has no character limit
    response = _post(
        client, ticket, body="再発行いたしました。", to="taro.work@example.co.jp",
        cc="keiri@example.co.jp, boss@example.jp", subject="Re: 領収書の再発行（再送）",
    )  # fmt: skip
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket, author_agent=agent)
    assert message.subject == "Re: 領収書の再発行（再送）"
    assert message.meta["route"] == {
        "transport": "email",
        "to": "taro.work@example.co.jp",
        "cc": ["keiri@example.co.jp", "boss@example.jp"],
    }


def test_bad_cc_is_a_422_that_keeps_the_draft(login, agent, make_ticket):
    ticket = make_ticket("email")
    client = login(agent, "en")
    response = _post(client, ticket, body="下書きです。", cc="boss@example.jp, 宛先なし")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Not an email address: 宛先なし" in html
    assert "下書きです。" in html and 'value="boss@example.jp, 宛先なし"' in html
    assert not Message.objects.filter(ticket=ticket, author_agent=agent).exists()
    stranger = _post(client, ticket, body="x", to="someone@else.jp")
    assert stranger.status_code == 422
    assert "is not one of this customer" in stranger.content.decode()


def test_sms_reply_has_a_counter_and_the_limit_is_enforced(login, agent, make_ticket):
    ticket = make_ticket("sms", email=None, phone="+819012345678")
    client = login(agent, "en")
    html = _page(client, ticket)
    assert 'data-limit="670"' in html and 'id="reply-counter"' in html
    assert 'name="cc"' not in html
    response = _post(client, ticket, body="あ" * 671)
    assert response.status_code == 422
    assert "This channel accepts at most 670 characters." in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, author_agent=agent).exists()
    assert _post(client, ticket, body="あ" * 670).status_code == 302


def test_macro_sent_from_the_console_keeps_the_stale_guard(login, agent, make_ticket):
    ticket = make_ticket()
    macro = Macro.objects.create(name="解決", body="解決しました。", set_status="solved")
    seen = Message.objects.filter(ticket=ticket).latest("pk").pk
    make_ticket(ticket=ticket, body="追加の質問があります。")
    client = login(agent)
    stale = _post(
        client, ticket, body="解決しました。", macro=macro.pk, expected_last_message_id=seen
    )
    assert stale.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status != "solved"
    macro.refresh_from_db()
    assert macro.usage_count == 0
    newest = Message.objects.filter(ticket=ticket).latest("pk").pk
    done = _post(
        client, ticket, body="解決しました。", macro=macro.pk, expected_last_message_id=newest
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    empty = _post(client, ticket, body="  ", macro=macro.pk)
    assert empty.status_code == 422


def test_mention_autocomplete_and_highlighted_note(login, agent, make_agent, make_ticket):
    colleague = make_agent("agent", "鈴木 一郎")
    ticket = make_ticket()
    client = login(agent)
    found = client.get(reverse("web:mention_agents"), {"q": "鈴"}).json()["agents"]
    assert [a["id"] for a in found] == [colleague.pk]
    assert found[0]["name"] == "鈴木 一郎"
    response = _post(
        client, ticket, mode="internal", body="@鈴木 一郎 さん <b>確認</b>お願いします"
    )
    assert response.status_code == 302
    note = Message.objects.get(ticket=ticket, author_agent=agent)
    assert note.meta["mentions"] == [colleague.pk]
    html = _page(client, ticket)
    assert '<span class="mention">@鈴木 一郎</span> さん &lt;b&gt;確認&lt;/b&gt;' in html


def test_next_and_previous_follow_the_inbox_list(login, agent, make_ticket):
    first = make_ticket(subject="一件目", email="a@example.jp")
    second = make_ticket(subject="二件目", email="b@example.jp")
    third = make_ticket(subject="三件目", email="c@example.jp")
    client = login(agent)
    # Newest activity first: third, second, first.
    querystring = "view=unsolved&order=newest"
    html = _page(client, second, **{"from": querystring})
    encoded = quote(querystring, safe="")
    assert f'data-next-url="/tickets/{first.pk}/?from={encoded}"' in html
    assert f'data-prev-url="/tickets/{third.pk}/?from={encoded}"' in html
    assert f'href="/?{querystring}"' in html.replace("&amp;", "&")
    # Oldest first reverses them; a filter that leaves this ticket alone gives no neighbours.
    oldest = _page(client, second, **{"from": "view=unsolved&order=oldest"})
    assert f'data-next-url="/tickets/{third.pk}/' in oldest
    alone = _page(client, second, **{"from": f"view=unsolved&q={quote('存在しない言葉')}"})
    assert 'data-next-url=""' in alone and 'data-prev-url=""' in alone
    # Opened from the inbox page itself: its Referer tells the list.
    referred = client.get(
        reverse("web:ticket", args=[first.pk]),
        HTTP_REFERER="http://testserver/?view=unsolved&order=oldest",
    ).content.decode()
    assert f'data-next-url="/tickets/{second.pk}/?from=' in referred
    assert 'data-prev-url=""' in referred
    bad = _page(client, second, **{"from": "view=nonsense&status=zzz"})
    assert 'data-next-url=""' in bad


def test_neighbours_honour_the_inbox_date_filter(login, agent, make_ticket):
    """The neighbours read the list with the inbox's own filter, date range included."""
    make_ticket(subject="一件目", email="a@example.jp")
    second = make_ticket(subject="二件目", email="b@example.jp")
    client = login(agent)
    today = timezone.localdate()
    kept = _page(client, second, **{"from": f"view=unsolved&created_from={today.isoformat()}"})
    assert 'data-next-url="/tickets/' in kept
    before = (today - timedelta(days=1)).isoformat()
    gone = _page(client, second, **{"from": f"view=unsolved&created_to={before}"})
    assert 'data-next-url=""' in gone and 'data-prev-url=""' in gone


def test_shortcut_help_is_on_every_console_page(login, agent):
    client = login(agent, "en")
    html = client.get(reverse("web:inbox")).content.decode()
    assert '<dialog id="shortcuts"' in html and "Keyboard shortcuts" in html
    assert 'data-go="c" href="/customers/"' in html


def _conversation(agent, ticket: Ticket, make_ticket, count: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(count):
        make_ticket(ticket=ticket, body=f"質問 {i}")
        do_reply(
            agent, ticket.pk, f"回答 {i}",
            attachments=[NewAttachment(f"file-{i}.txt", "text/plain", b"x")],
        )  # fmt: skip
        do_reply(agent, ticket.pk, f"@{agent.display_name} メモ {i}", internal=True)
        do_update_ticket(agent, ticket.pk, {"priority": "high" if i % 2 else "low"})


def test_ticket_page_queries_do_not_grow_with_the_conversation(login, agent, make_ticket):
    small = make_ticket(email="small@example.jp")
    large = make_ticket(email="large@example.jp")
    _conversation(agent, small, make_ticket, 1)
    _conversation(agent, large, make_ticket, 15)
    client = login(agent)
    counts = []
    for ticket in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                reverse("web:ticket", args=[ticket.pk]), {"from": "view=unsolved&priority=low"}
            )
        assert response.status_code == 200
        counts.append(len(queries))
    assert Message.objects.filter(ticket=large).count() > 40
    assert counts[0] == counts[1], counts


def test_note_with_a_status_sets_it_and_the_list_is_kept(login, agent, make_ticket):
    ticket = make_ticket()
    other = make_ticket(email="other@example.jp")
    client = login(agent)
    querystring = "view=unsolved&order=oldest"
    response = _post(
        client,
        ticket,
        mode="internal",
        body="確認待ち",
        set_status="pending",
        **{"from": querystring},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/tickets/{ticket.pk}/?from=view%3Dunsolved")
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    # A refused send keeps the list too: its neighbours are still those of the list.
    refused = _post(client, other, body="  ", **{"from": querystring})
    assert refused.status_code == 422
    assert 'name="from" value="view=unsolved&amp;order=oldest"' in refused.content.decode()


def test_opening_the_ticket_marks_it_read_for_the_viewer(login, agent, make_agent, make_ticket):
    from madoguchi.tickets.models import TicketRead

    ticket = make_ticket()
    other = make_agent("agent", "鈴木 一郎")
    client = login(agent)
    assert client.get(reverse("web:ticket", args=[ticket.pk])).status_code == 200
    first = TicketRead.objects.get(agent=agent, ticket=ticket).read_at
    client.get(reverse("web:ticket", args=[ticket.pk]))
    assert TicketRead.objects.get(agent=agent, ticket=ticket).read_at >= first
    assert not TicketRead.objects.filter(agent=other).exists()
    # A refused reply re-renders the page but is not a look at the ticket.
    _post(client, ticket, body="")
    assert TicketRead.objects.filter(ticket=ticket).count() == 1
