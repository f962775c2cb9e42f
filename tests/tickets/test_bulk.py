"""Bulk changes: all tickets or none, per-ticket scope checks, limits, merge into one."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import Team
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from madoguchi.inboxes.messages import SenderHandle
from madoguchi.tickets.actions import do_bulk_merge, do_bulk_update, do_merge_tickets
from madoguchi.tickets.actions.bulk import MAX_BULK
from madoguchi.tickets.models import Status, Ticket, TimelineEvent
from tests.inboxes.factories import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(inboxes):  # type: ignore[no-untyped-def]
    made = []
    for n in range(3):
        result = receive(
            inboxes["email"],
            sender=SenderHandle("email", f"bulk{n}@example.jp"),
            subject=f"まとめて{n}",
        )
        made.append(Ticket.objects.get(pk=result.ticket_id))
    return made


def test_assign_status_and_tag_every_ticket_with_timeline(agent, tickets):
    team = Team.objects.create(name="二次対応")
    ids = [t.pk for t in tickets]
    assert do_bulk_update(agent, ids, {"assignee_id": agent.pk, "team_id": team.pk}) == 3
    assert do_bulk_update(agent, ids, {"status": "pending", "add_tags": ["要確認"]}) == 3
    for t in Ticket.objects.filter(pk__in=ids).prefetch_related("tags"):
        assert (t.assignee_id, t.team_id, t.status) == (agent.pk, team.pk, Status.PENDING)
        assert [x.name for x in t.tags.all()] == ["要確認"]
    assert TimelineEvent.objects.filter(ticket_id__in=ids, kind="assignee").count() == 3
    # nothing to change: no ticket counted
    assert do_bulk_update(agent, ids, {"status": "pending"}) == 0


def test_one_ticket_out_of_scope_fails_the_whole_batch(make_agent, tickets, inboxes):
    outsourced = make_agent("outsourced")
    inboxes["email"].granted_agents.add(outsourced)
    other = receive(inboxes["form"], sender=SenderHandle("email", "x@example.jp"))
    ids = [t.pk for t in tickets] + [other.ticket_id]
    with pytest.raises(NotFound) as info:
        do_bulk_update(outsourced, ids, {"status": "open"})
    assert info.value.details == [other.ticket_id]
    assert not Ticket.objects.filter(pk__in=ids, status="open").exists()
    assert do_bulk_update(outsourced, ids[:3], {"status": "open"}) == 3


def test_bad_requests(agent, make_agent, tickets):
    ids = [t.pk for t in tickets]
    viewer = make_agent("viewer")
    with pytest.raises(Forbidden):
        do_bulk_update(viewer, ids, {"status": "open"})
    with pytest.raises(ValidationFailed):
        do_bulk_update(agent, [], {"status": "open"})
    with pytest.raises(ValidationFailed):
        do_bulk_update(agent, list(range(1, MAX_BULK + 2)), {"status": "open"})
    with pytest.raises(ValidationFailed):
        do_bulk_update(agent, ["1"], {"status": "open"})
    with pytest.raises(ValidationFailed):
        do_bulk_update(agent, ids, {"subject": "一括"})
    with pytest.raises(ValidationFailed):
        do_bulk_update(agent, ids, {"status": "bogus"})
    with pytest.raises(ValidationFailed):
        do_bulk_update(agent, ids, {"assignee_id": 999999})
    assert not TimelineEvent.objects.filter(ticket_id__in=ids, kind="status").exists()


def test_merge_selected_into_one(agent, tickets):
    ids = [t.pk for t in tickets]
    target = do_bulk_merge(agent, ids, tickets[1].pk)
    assert target.pk == tickets[1].pk
    assert target.message_count == 3
    for t in Ticket.objects.filter(pk__in=[ids[0], ids[2]]):
        assert t.merged_into_id == target.pk and t.status == Status.CLOSED


def test_merge_is_all_or_nothing(agent, tickets, inboxes):
    ids = [t.pk for t in tickets]
    with pytest.raises(ValidationFailed):
        do_bulk_merge(agent, ids, 999999)  # not among the selected
    with pytest.raises(ValidationFailed):
        do_bulk_merge(agent, ids[:1], ids[0])  # one ticket is no merge
    fourth = receive(inboxes["email"], sender=SenderHandle("email", "m@example.jp"))
    do_merge_tickets(agent, ids[2], fourth.ticket_id)  # the last one is already merged
    with pytest.raises(Conflict):
        do_bulk_merge(agent, ids, ids[0])
    assert Ticket.objects.get(pk=ids[1]).merged_into_id is None  # first merge rolled back
