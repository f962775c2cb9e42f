"""Presence on a ticket: who is viewing, who is typing, leaving, typing running out."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from madoguchi.realtime import presence
from tests.inboxes.factories import receive

from .conftest import connected, next_of

pytestmark = pytest.mark.django_db(transaction=True)


def _names(frame):
    return [(v["name"], v["typing"]) for v in frame["viewers"]]


async def presence_becomes(comm, expected, timeout=3):
    """Read presence pushes until the list is the expected one (intermediate pushes are fine)."""
    seen = []
    while True:
        try:
            frame = await next_of(comm, "presence", timeout=timeout)
        except TimeoutError as exc:
            raise AssertionError(f"presence never became {expected}; saw {seen}") from exc
        seen.append(_names(frame))
        if seen[-1] == expected:
            return


@pytest.fixture
def pair(communicator, make_agent):  # type: ignore[no-untyped-def]
    """Two agents' sockets: 山田 (a) and 佐藤 (b)."""
    yamada = make_agent("agent", "山田 一郎")
    sato = make_agent("agent", "佐藤 花子")
    return communicator(yamada.user), communicator(sato.user)


async def both_viewing(a, b, ticket_id):  # type: ignore[no-untyped-def]
    """A then B open the ticket; returns once A lists B as a viewer."""
    await connected(a)
    await a.send_json_to({"subscribe_ticket": ticket_id})
    await connected(b)
    await b.send_json_to({"subscribe_ticket": ticket_id})
    await presence_becomes(a, [("佐藤 花子", False)])


def test_viewers_see_each_other_typing_and_leaving(pair, inboxes):
    ticket_id = receive(inboxes["email"]).ticket_id
    a, b = pair

    async def run():
        await connected(a)
        await a.send_json_to({"subscribe_ticket": ticket_id})
        assert _names(await next_of(a, "presence")) == []  # alone: nobody else listed
        await connected(b)
        await b.send_json_to({"subscribe_ticket": ticket_id})
        # B learns of A (A answers B's announcement), A learns of B.
        await presence_becomes(b, [("山田 一郎", False)])
        await presence_becomes(a, [("佐藤 花子", False)])
        await b.send_json_to({"typing": True})
        await presence_becomes(a, [("佐藤 花子", True)])
        await b.send_json_to({"typing": False})
        await presence_becomes(a, [("佐藤 花子", False)])
        await b.disconnect()
        await presence_becomes(a, [])
        await a.disconnect()

    async_to_sync(run)()


def test_typing_runs_out_without_a_stop_message(pair, inboxes, monkeypatch):
    monkeypatch.setattr(presence, "TYPING_SECONDS", 0.3)
    ticket_id = receive(inboxes["email"]).ticket_id
    a, b = pair

    async def run():
        await both_viewing(a, b, ticket_id)
        await b.send_json_to({"typing": True})
        await presence_becomes(a, [("佐藤 花子", True)])
        # No {"typing": false} is sent (a lost frame, a closed laptop): it expires by itself.
        assert _names(await next_of(a, "presence", timeout=2)) == [("佐藤 花子", False)]
        await a.disconnect()
        await b.disconnect()

    async_to_sync(run)()


def test_same_agent_in_two_tabs_is_not_listed_to_themself(communicator, make_agent, inboxes):
    yamada = make_agent("agent", "山田 一郎")
    ticket_id = receive(inboxes["email"]).ticket_id
    tab1, tab2 = communicator(yamada.user), communicator(yamada.user)

    async def run():
        for tab in (tab1, tab2):
            await connected(tab)
            await tab.send_json_to({"subscribe_ticket": ticket_id})
        # Each tab hears the other's announcement, but the agent never sees themself listed.
        for _ in range(2):
            assert _names(await next_of(tab1, "presence")) == []
            assert _names(await next_of(tab2, "presence")) == []
        await tab1.disconnect()
        await tab2.disconnect()

    async_to_sync(run)()


def test_switching_tickets_leaves_the_first(pair, inboxes):
    first = receive(inboxes["email"], external_id="first").ticket_id
    second = receive(inboxes["email"], external_id="second", sender_name="別人").ticket_id
    a, b = pair

    async def run():
        await both_viewing(a, b, first)
        assert (await next_of(b, "subscribed"))["ticket_id"] == first
        await b.send_json_to({"subscribe_ticket": second})
        assert (await next_of(b, "subscribed"))["ticket_id"] == second
        await presence_becomes(a, [])
        await a.disconnect()
        await b.disconnect()

    async_to_sync(run)()


def test_repeated_typing_frames_are_not_rebroadcast(pair, inboxes):
    ticket_id = receive(inboxes["email"]).ticket_id
    a, b = pair

    async def run():
        await both_viewing(a, b, ticket_id)
        for _ in range(5):
            await b.send_json_to({"typing": True})
        await presence_becomes(a, [("佐藤 花子", True)])
        assert await a.receive_nothing(timeout=0.3)  # one push, not five
        await a.disconnect()
        await b.disconnect()

    async_to_sync(run)()
