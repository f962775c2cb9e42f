"""Tag settings: counts in one query, rename, merge, delete; macros follow; audited."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import AuditEntry
from madoguchi.core.errors import Forbidden, ValidationFailed
from madoguchi.tickets.actions.tag_admin import (
    do_delete_tag,
    do_merge_tag,
    do_rename_tag,
    tags_with_usage,
)
from madoguchi.tickets.models import Macro, Tag, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(admin, brand, inboxes):  # type: ignore[no-untyped-def]
    """Three tickets: #1 配送, #2 配送+発送, #3 発送; a macro adding 配送."""
    from django.utils import timezone

    from madoguchi.customers.models import Customer

    customer = Customer.objects.create(name="山田 太郎")
    now = timezone.now()
    tickets = [
        Ticket.objects.create(
            number=20000 + i, inbox=inboxes["email"], brand=brand, channel="email",
            customer=customer, created_at=now, updated_at=now,
        )
        for i in range(3)
    ]  # fmt: skip
    a, b = Tag.objects.create(name="配送"), Tag.objects.create(name="発送")
    tickets[0].tags.add(a)
    tickets[1].tags.add(a, b)
    tickets[2].tags.add(b)
    Macro.objects.create(name="m", add_tags=["配送", "VIP"])
    return tickets, a, b


def test_usage_counts_in_one_query(tagged, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = {t.name: t.ticket_count for t in tags_with_usage()}
    assert counts == {"発送": 2, "配送": 2}


def test_rename_carries_over_to_macros(admin, tagged):
    _tickets, a, _b = tagged
    do_rename_tag(admin, a.pk, "配達")
    assert Macro.objects.get().add_tags == ["配達", "VIP"]
    with pytest.raises(ValidationFailed) as exc:
        do_rename_tag(admin, a.pk, "発送")
    assert exc.value.code == "tag_exists"
    entry = AuditEntry.objects.get(action="tag.rename")
    assert entry.data == {"changes": {"name": ["配送", "配達"]}, "macros": 1}


def test_merge_moves_tickets_without_duplicates(admin, tagged):
    tickets, _a, b = tagged
    do_merge_tag(admin, b.pk, "配送")
    assert not Tag.objects.filter(pk=b.pk).exists()
    for ticket in tickets:
        assert list(ticket.tags.values_list("name", flat=True)) == ["配送"]
    entry = AuditEntry.objects.get(action="tag.merge")
    assert entry.data == {"from": "発送", "into": "配送", "tickets": 1, "macros": 0}


def test_merge_refusals(admin, tagged):
    _tickets, a, _b = tagged
    with pytest.raises(ValidationFailed):
        do_merge_tag(admin, a.pk, "ない")
    with pytest.raises(ValidationFailed):
        do_merge_tag(admin, a.pk, "配送")
    assert Tag.objects.count() == 2 and not AuditEntry.objects.exists()


def test_delete_removes_tag_from_tickets_and_macros(admin, tagged):
    tickets, a, _b = tagged
    do_delete_tag(admin, a.pk)
    assert list(tickets[1].tags.values_list("name", flat=True)) == ["発送"]
    assert Ticket.objects.count() == 3
    assert Macro.objects.get().add_tags == ["VIP"]
    assert AuditEntry.objects.get(action="tag.delete").data["tickets"] == 2


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_only_leads_and_admins(make_agent, tagged, role):
    _tickets, a, _b = tagged
    actor = make_agent(role)
    for call in (
        lambda: do_rename_tag(actor, a.pk, "x"),
        lambda: do_merge_tag(actor, a.pk, "発送"),
        lambda: do_delete_tag(actor, a.pk),
    ):
        with pytest.raises(Forbidden):
            call()
    assert Tag.objects.count() == 2
