"""Marking read (only one's own), the email copy, and the reads behind the bell and the page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from madoguchi.automation.models import Notification, NotificationKind
from madoguchi.automation.notifications import (
    do_mark_all_read,
    do_mark_read,
    do_open,
    do_set_email_notifications,
    notify,
)
from madoguchi.automation.queries import count_label, notification_page, unread_count
from madoguchi.automation.tasks import send_notification_email
from madoguchi.core.errors import NotFound, ValidationFailed
from madoguchi.tickets.actions.replies import do_reply


def ja(msgid: str, **params: object) -> str:
    """The Japanese text of one of our messages (the catalogue decides the wording)."""
    with translation.override("ja"):
        return gettext(msgid) % params if params else gettext(msgid)


@pytest.fixture
def ticket(make_ticket):  # type: ignore[no-untyped-def]
    return make_ticket("email", subject="注文した商品がまだ届きません")


@pytest.fixture
def bob(make_agent):  # type: ignore[no-untyped-def]
    return make_agent("agent", "鈴木 一郎")


@pytest.fixture
def mailbox(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_URL = "https://desk.shop.test"
    return mail.outbox


def mention(recipient, author, ticket, body="在庫を確認してください"):  # type: ignore[no-untyped-def]
    """A note and its notification made directly (the `@` parser has its own test)."""
    note = do_reply(author, ticket.pk, body, internal=True)
    return notify(recipient, NotificationKind.MENTION, ticket, message_id=note.pk, actor=author)


def test_email_copy_in_the_agents_language_with_a_link(
    agent, bob, ticket, run_commits, task_backend, mailbox
):
    bob.email_notifications = True
    bob.save()
    with run_commits():
        n = mention(bob, agent, ticket)
    assert [r.args for r in task_backend.results] == [[n.pk]]
    assert send_notification_email.call(n.pk) == "sent"
    assert send_notification_email.call(n.pk) == "already sent"  # a task run twice sends once
    assert len(mailbox) == 1
    sent = mailbox[0]
    assert sent.to == [bob.user.email]
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    message = sent.message()
    assert message["Auto-Submitted"] == "auto-generated"
    assert sent.subject == ja(
        "[Madoguchi] %(text)s",
        text=ja("%(actor)s mentioned you on #%(number)s", actor="佐藤 花子", number=ticket.number),
    )
    assert f"https://desk.shop.test/tickets/{ticket.pk}/" in sent.body
    assert "在庫を確認してください" in sent.body
    assert "注文した商品がまだ届きません" in sent.body
    assert Notification.objects.get(pk=n.pk).emailed_at is not None


def test_email_copy_in_english_for_an_english_agent(
    agent, make_agent, ticket, run_commits, task_backend, mailbox
):
    english = make_agent("agent", "Emma Hill", language="en")
    english.email_notifications = True
    english.save()
    with run_commits():
        n = notify(english, NotificationKind.ASSIGNED, ticket, actor=agent)
    send_notification_email.call(n.pk)
    assert mailbox[0].subject == f"[Madoguchi] 佐藤 花子 assigned #{ticket.number} to you"
    assert "Open the ticket: https://desk.shop.test/tickets/" in mailbox[0].body


def test_email_language_follows_the_agent(agent, make_agent, make_ticket, run_commits, mailbox):
    bare = make_ticket("email")
    bare.subject = ""
    bare.save(update_fields=["subject"])
    english = make_agent("agent", "Emma Hill", language="en")
    for recipient in (agent, english):
        do_set_email_notifications(recipient, True)
        with run_commits():
            n = notify(recipient, NotificationKind.ASSIGNED, bare)
        send_notification_email.call(n.pk)
    assert [m.to for m in mailbox] == [[agent.user.email], [english.user.email]]
    assert "（件名なし）" in mailbox[0].body
    assert "(no subject)" in mailbox[1].body


def test_no_email_when_the_agent_has_it_off(agent, bob, ticket, run_commits, task_backend, mailbox):
    with run_commits():
        n = mention(bob, agent, ticket)
    assert task_backend.results == []
    assert send_notification_email.call(n.pk) == "off"
    assert mailbox == []


def test_no_email_once_read_in_the_app(agent, bob, ticket, run_commits, task_backend, mailbox):
    do_set_email_notifications(bob, True)
    with run_commits():
        n = mention(bob, agent, ticket)
    do_open(bob, n.pk)
    assert send_notification_email.call(n.pk) == "already read"
    assert mailbox == []


def test_failed_smtp_releases_the_claim(agent, bob, ticket, settings, run_commits):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    do_set_email_notifications(bob, True)
    with run_commits():
        n = mention(bob, agent, ticket)
    with pytest.raises(OSError):
        send_notification_email.call(n.pk)
    assert Notification.objects.get(pk=n.pk).emailed_at is None


def test_mark_read_touches_only_own_notifications(agent, bob, admin, ticket):
    mine = mention(bob, agent, ticket)
    theirs = mention(admin, agent, ticket)
    assert do_mark_read(bob, [mine.pk, theirs.pk]) == 1
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    with pytest.raises(NotFound):
        do_open(bob, theirs.pk)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    again = mention(bob, agent, ticket)
    assert do_mark_all_read(bob) == 1
    assert Notification.objects.get(pk=again.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("ids", [["x"], [None], [True], list(range(501))])
def test_mark_read_refuses_bad_ids(bob, ids):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed):
        do_mark_read(bob, ids)


def test_unknown_kind_is_refused(bob, ticket):
    with pytest.raises(ValidationFailed):
        notify(bob, "party", ticket)
    assert Notification.objects.count() == 0


def test_unread_count_is_capped(agent, bob, ticket):
    Notification.objects.bulk_create(
        Notification(recipient=bob, kind=NotificationKind.ASSIGNED, ticket=ticket)
        for _ in range(105)
    )
    assert unread_count(bob) == 100
    assert count_label(unread_count(bob)) == "99+"
    assert unread_count(agent) == 0
    do_mark_all_read(bob)
    assert count_label(unread_count(bob)) == "0"


def test_page_is_keyset_newest_first_in_fixed_queries(
    agent, bob, make_agent, ticket, make_ticket, django_assert_num_queries
):
    other = make_ticket("form", subject="返品について", email="hanako@example.jp", name="")
    for i in range(5):
        mention(bob, agent, ticket, body=f"@鈴木 一郎 メモ {i}")
    notify(bob, NotificationKind.CUSTOMER_REPLY, other, message_id=other.messages.first().pk)
    notify(bob, NotificationKind.ASSIGNED, ticket)
    with django_assert_num_queries(1):
        first = notification_page(bob, limit=4)
        texts = [n.text for n in first.items]
    with translation.override("ja"):
        texts = [n.text for n in notification_page(bob, limit=4).items]
    assert texts[0] == ja("#%(number)s was assigned to you", number=ticket.number)
    assert texts[1] == ja("The customer replied on #%(number)s", number=other.number)
    assert texts[2] == ja(
        "%(actor)s mentioned you on #%(number)s", actor="佐藤 花子", number=ticket.number
    )
    assert first.items[2].excerpt == "@鈴木 一郎 メモ 4"
    assert first.next_before == first.items[-1].pk
    second = notification_page(bob, before=first.next_before, limit=4)
    assert [n.excerpt for n in second.items] == [f"@鈴木 一郎 メモ {i}" for i in (2, 1, 0)]
    assert second.next_before is None
    assert notification_page(agent).items == []
