"""The bell in the top bar and /notifications/: list, open (marks read), mark all, email toggle."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from madoguchi.automation.models import Notification, NotificationKind
from madoguchi.automation.notifications import notify
from madoguchi.tickets.actions.replies import do_reply


def ja(msgid: str, **params: object) -> str:
    with translation.override("ja"):
        return gettext(msgid) % params


@pytest.fixture
def ticket(make_ticket):  # type: ignore[no-untyped-def]
    return make_ticket("email", subject="注文した商品がまだ届きません")


@pytest.fixture
def bob(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("agent", "鈴木 一郎")


def mentions(recipient, author, ticket, n=1):  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        note = do_reply(author, ticket.pk, f"在庫を確認してください {i}", internal=True)
        out.append(
            notify(recipient, NotificationKind.MENTION, ticket, message_id=note.pk, actor=author)
        )
    return out


def badge(html: str) -> re.Match[str]:
    found = re.search(r'<span id="notification-count"[^>]*>([^<]*)</span>', html)
    assert found, "the bell's count is on every console page"
    return found


def test_badge_shows_the_unread_count_on_console_pages(login, agent, bob, ticket):
    mentions(bob, agent, ticket, 3)
    client = login(bob)
    html = client.get("/").content.decode()
    span = badge(html)
    assert span.group(1) == "3"
    assert f'aria-label="{ja("Unread notifications: %(count)s", count="3")}"' in span.group(0)
    assert " hidden" not in span.group(0)
    assert 'href="/notifications/"' in html


def test_badge_is_hidden_without_unread(login, agent, bob, ticket):
    mentions(agent, bob, ticket)  # someone else's
    span = badge(login(bob).get("/").content.decode())
    assert span.group(1) == "0"
    assert " hidden" in span.group(0)


def test_count_json(login, agent, bob, ticket):
    mentions(bob, agent, ticket, 2)
    data = login(bob).get("/notifications/count/").json()
    assert (data["count"], data["label"]) == (2, "2")


def test_page_lists_own_notifications_newest_first(login, agent, bob, admin, ticket):
    first, second = mentions(bob, agent, ticket, 2)
    mentions(admin, agent, ticket)
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    html = login(bob).get("/notifications/").content.decode()
    ids = [int(i) for i in re.findall(r'data-notification-id="(\d+)"', html)]
    assert ids == [second.pk, first.pk]
    text = ja("%(actor)s mentioned you on #%(number)s", actor="佐藤 花子", number=ticket.number)
    assert html.count(text) == 2
    assert "在庫を確認してください 1" in html and "注文した商品がまだ届きません" in html
    unread = re.search(rf'<li class="([^"]*)" data-notification-id="{second.pk}"', html)
    read = re.search(rf'<li class="([^"]*)" data-notification-id="{first.pk}"', html)
    assert unread and "notif-unread" in unread.group(1)
    assert read and "notif-unread" not in read.group(1)
    only_unread = login(bob).get("/notifications/?show=unread").content.decode()
    assert re.findall(r'data-notification-id="(\d+)"', only_unread) == [str(second.pk)]


def test_page_queries_do_not_grow_with_rows(login, agent, bob, ticket):
    client = login(bob)
    mentions(bob, agent, ticket, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    mentions(bob, agent, ticket, 8)
    with CaptureQueriesContext(connection) as many:
        client.get("/notifications/")
    assert len(many) == len(few)


def test_opening_marks_read_and_lands_on_the_ticket(login, agent, bob, ticket):
    (n,) = mentions(bob, agent, ticket)
    response = login(bob).get(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_someone_elses_notification_is_not_found(login, agent, bob, admin, ticket):
    (n,) = mentions(admin, agent, ticket)
    client = login(bob)
    assert client.get(f"/notifications/{n.pk}/open/").status_code == 404
    assert client.post("/notifications/read/", {"id": [n.pk]}).status_code == 302
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_one_and_all_read_only_touch_own(login, agent, bob, admin, ticket):
    a, _b = mentions(bob, agent, ticket, 2)
    (theirs,) = mentions(admin, agent, ticket)
    client = login(bob)
    response = client.post("/notifications/read/", {"id": [a.pk], "next": "/notifications/"})
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert list(Notification.objects.filter(read_at__isnull=True)) == [theirs]
    assert badge(client.get("/notifications/").content.decode()).group(1) == "0"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/notifications/read/", {"id": ["abc"]}),
        ("/notifications/email/", {"email_notifications": ["yes"]}),
        ("/notifications/email/", {}),
    ],
)
def test_bad_input_is_a_clear_422(login, bob, url, data):  # type: ignore[no-untyped-def]
    response = login(bob).post(url, data)
    assert response.status_code == 422
    bob.refresh_from_db()
    assert bob.email_notifications is False


def test_bad_page_cursor_is_422(login, bob):
    assert login(bob).get("/notifications/?before=x").status_code == 422


def test_email_toggle(login, bob):
    client = login(bob)
    page = client.get("/notifications/").content.decode()
    assert 'name="email_notifications" value="1"' in page and bob.user.email in page
    client.post("/notifications/email/", {"email_notifications": ["0", "1"]})
    bob.refresh_from_db()
    assert bob.email_notifications is True
    assert "checked" in client.get("/notifications/").content.decode()
    client.post("/notifications/email/", {"email_notifications": ["0"]})
    bob.refresh_from_db()
    assert bob.email_notifications is False


def test_get_on_writes_is_refused_and_login_is_required(client, login, bob):
    assert client.get("/notifications/").status_code == 302
    assert login(bob).get("/notifications/read-all/").status_code == 405
