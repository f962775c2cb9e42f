"""The console socket: who may connect, what they hear, ticket subscriptions."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from madoguchi.tickets.models import Ticket
from tests.inboxes.factories import receive

from .conftest import connected, next_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_anonymous_is_closed_with_4401(communicator):
    comm = communicator(None)

    async def run():
        ok, _ = await comm.connect()
        assert ok
        closed = await comm.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": 4401}
        await comm.wait()

    async_to_sync(run)()


def test_login_without_agent_profile_is_closed_with_4403(communicator, db):
    from django.contrib.auth.models import User

    user = User.objects.create_user("no-profile", "np@shop.test", "pass-1234-word")

    comm = communicator(user)

    async def run():
        ok, _ = await comm.connect()
        assert ok
        assert await comm.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}

    async_to_sync(run)()


def test_foreign_or_missing_origin_is_refused(communicator, agent):
    comms = [
        communicator(agent.user, origin=origin)
        for origin in [(b"origin", b"https://evil.example"), None]
    ]

    async def run():
        for comm in comms:
            ok, _ = await comm.connect()
            assert not ok

    async_to_sync(run)()


def test_agent_hears_new_ticket_without_its_content(communicator, agent, inboxes):
    comm = communicator(agent.user)

    async def run():
        hello = await connected(comm)
        assert hello["agent_id"] == agent.pk
        result = await database_sync_to_async(receive)(
            inboxes["email"], subject="秘密の件名", body_text="個人情報を含む本文"
        )
        created = await next_of(comm, "ticket_created")
        ticket = await database_sync_to_async(Ticket.objects.get)(pk=result.ticket_id)
        assert created == {
            "kind": "ticket_created",
            "ticket_id": ticket.pk,
            "number": ticket.number,
            "inbox_id": inboxes["email"].pk,
        }
        received = await next_of(comm, "message_received")
        assert received["message_id"] == result.message_id
        assert "秘密" not in str(received) and "個人情報" not in str(received)
        await comm.disconnect()

    async_to_sync(run)()


def test_outsourced_agent_hears_only_granted_inboxes(communicator, make_agent, inboxes):
    outsourced = make_agent("outsourced", "外部 一郎")
    inboxes["email"].granted_agents.add(outsourced)

    comm = communicator(outsourced.user)

    async def run():
        await connected(comm)
        await database_sync_to_async(receive)(inboxes["form"], external_id="not-granted")
        assert await comm.receive_nothing(timeout=0.3)
        result = await database_sync_to_async(receive)(inboxes["email"], external_id="granted")
        created = await next_of(comm, "ticket_created")
        assert created["ticket_id"] == result.ticket_id
        await comm.disconnect()

    async_to_sync(run)()


def test_outsourced_agent_cannot_subscribe_to_a_ticket_outside_scope(
    communicator, make_agent, inboxes
):
    outsourced = make_agent("outsourced", "外部 一郎")
    inboxes["email"].granted_agents.add(outsourced)
    hidden = receive(inboxes["form"]).ticket_id
    staff = make_agent("agent", "山田 次郎")

    comm = communicator(outsourced.user)
    viewer = communicator(staff.user)

    async def run():
        await connected(comm)
        await comm.send_json_to({"subscribe_ticket": hidden})
        assert await next_of(comm, "error") == {"kind": "error", "code": "ticket_not_found"}
        # Someone who may see it opens it and replies: the outsider hears nothing of it.
        await connected(viewer)
        await viewer.send_json_to({"subscribe_ticket": hidden})
        assert (await next_of(viewer, "subscribed"))["ticket_id"] == hidden
        await database_sync_to_async(receive)(inboxes["form"], ticket_id=hidden)
        assert (await next_of(viewer, "message_received"))["ticket_id"] == hidden
        assert await comm.receive_nothing(timeout=0.3)
        await comm.disconnect()
        await viewer.disconnect()

    async_to_sync(run)()


def test_team_member_hears_tickets_routed_to_their_team(communicator, make_agent, inboxes, admin):
    from madoguchi.accounts.models import Team
    from madoguchi.tickets.actions import do_update_ticket

    team = Team.objects.create(name="外部チーム")
    outsourced = make_agent("outsourced", "外部 一郎")
    outsourced.teams.add(team)
    ticket_id = receive(inboxes["form"]).ticket_id

    comm = communicator(outsourced.user)

    async def run():
        await connected(comm)
        await database_sync_to_async(do_update_ticket)(admin, ticket_id, {"team_id": team.pk})
        updated = await next_of(comm, "ticket_updated")
        assert updated["ticket_id"] == ticket_id
        await comm.send_json_to({"subscribe_ticket": ticket_id})
        assert (await next_of(comm, "subscribed"))["ticket_id"] == ticket_id
        await comm.disconnect()

    async_to_sync(run)()


def test_ticket_viewer_hears_each_event_once(communicator, agent, inboxes):
    ticket_id = receive(inboxes["email"]).ticket_id

    comm = communicator(agent.user)

    async def run():
        await connected(comm)
        await comm.send_json_to({"subscribe_ticket": ticket_id})
        await next_of(comm, "subscribed")
        result = await database_sync_to_async(receive)(inboxes["email"], ticket_id=ticket_id)
        frame = await next_of(comm, "message_received")
        assert frame["message_id"] == result.message_id
        # It reached us through the inbox group and the ticket group, but is relayed once.
        while True:
            extra = await comm.receive_nothing(timeout=0.3)
            if extra:
                break
            assert (await comm.receive_json_from())["kind"] != "message_received"
        await comm.disconnect()

    async_to_sync(run)()


def test_malformed_frames_are_ignored(communicator, agent):
    comm = communicator(agent.user)

    async def run():
        await connected(comm)
        await comm.send_to(text_data="not json")
        await comm.send_json_to(["a", "list"])
        for bad in ["abc", None, True, -1, 0, 10**30, 1.5e300, float("inf")]:
            await comm.send_json_to({"subscribe_ticket": bad})
            assert await next_of(comm, "error") == {"kind": "error", "code": "bad_ticket_id"}
        await comm.send_json_to({"typing": True})  # no ticket yet: nothing happens
        assert await comm.receive_nothing(timeout=0.2)
        await comm.disconnect()

    async_to_sync(run)()
