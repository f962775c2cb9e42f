"""tickets.mentions: which agents an internal note names, and the event that tells them."""

from __future__ import annotations

import pytest

from madoguchi.core import events
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.tickets.actions import do_reply
from madoguchi.tickets.mentions import find_mentions, matching_agents
from madoguchi.tickets.models import Ticket
from tests.inboxes.factories import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_agent):  # type: ignore[no-untyped-def]
    return {
        "hanako": make_agent("agent", "佐藤 花子"),
        "satoshi": make_agent("agent", "佐藤 聡"),
        "suzuki": make_agent("agent", "鈴木 一郎"),
        "ken": make_agent("lead", "Ken Tanaka"),
    }


def test_full_names_with_and_without_the_space(team):
    text = "@佐藤 花子 さん、@鈴木一郎 さんと @佐藤　聡 さんも確認お願いします。"
    assert find_mentions(text) == [team["hanako"].pk, team["suzuki"].pk, team["satoshi"].pk]


def test_family_name_alone_only_when_unambiguous(team):
    assert find_mentions("@鈴木さん 見てください") == [team["suzuki"].pk]
    # Two active 佐藤: `@佐藤` names nobody rather than the wrong one.
    assert find_mentions("@佐藤さん 見てください") == []


def test_login_name_case_and_word_boundaries(team):
    login = team["ken"].user.username
    assert find_mentions(f"FYI @{login.upper()}.") == [team["ken"].pk]
    assert find_mentions("@ken tanaka please check") == [team["ken"].pk]
    assert find_mentions(f"@{login}x is someone else") == []
    # An email address is not a mention, a full-width ＠ is.
    assert find_mentions(f"mail {login}@shop.test") == []
    assert find_mentions("＠鈴木 一郎 お願いします") == [team["suzuki"].pk]


def test_each_agent_once_in_order_and_inactive_agents_ignored(team):
    team["suzuki"].user.is_active = False
    team["suzuki"].user.save()
    text = "@Ken Tanaka @佐藤花子 @Ken Tanaka @鈴木 一郎"
    assert find_mentions(text) == [team["ken"].pk, team["hanako"].pk]


def test_note_stores_mentions_and_the_event_carries_them(
    team, inboxes, django_capture_on_commit_callbacks
):
    result = receive(
        inboxes["form"],
        sender=SenderHandle("email", "taro@example.jp"),
        sender_name="山田 太郎",
        subject="返品について",
        body_text="返品したいです。",
    )
    ticket = Ticket.objects.get(pk=result.ticket_id)
    seen: list[events.MessageAdded] = []
    events.subscribe(events.MessageAdded, seen.append)
    author = team["hanako"]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            note = do_reply(
                author,
                ticket.pk,
                "@鈴木 一郎 さん、@佐藤 花子 (自分) 返品可否の確認を",
                internal=True,
            )
    finally:
        events.unsubscribe(events.MessageAdded, seen.append)
    assert note.meta["mentions"] == [team["suzuki"].pk, author.pk]
    sent = [e for e in seen if e.message_id == note.pk]
    assert sent and sent[0].mentions == (team["suzuki"].pk,)  # naming yourself notifies nobody
    assert sent[0].author_agent_id == author.pk
    # A public reply never carries mentions.
    reply = do_reply(author, ticket.pk, "@鈴木 一郎 様 ありがとうございます。")
    assert "mentions" not in reply.meta


def test_autocomplete_matches_prefix_then_contains(team):
    assert [a.pk for a in matching_agents("佐藤")] == [team["satoshi"].pk, team["hanako"].pk]
    assert [a.pk for a in matching_agents("@花子")] == [team["hanako"].pk]
    assert [a.pk for a in matching_agents("tana")] == [team["ken"].pk]
    assert matching_agents("存在しない") == []
