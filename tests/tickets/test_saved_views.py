"""Saved views: validated filters, names unique per owner, sharing for leads and admins only,
audit entries for shared views, reordering."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import AuditEntry
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from madoguchi.tickets.actions import (
    do_create_saved_view,
    do_delete_saved_view,
    do_move_saved_view,
    do_update_saved_view,
)
from madoguchi.tickets.models import SavedView
from madoguchi.tickets.queries import saved_views_for

pytestmark = pytest.mark.django_db


def test_create_keeps_clean_filters(agent):
    view = do_create_saved_view(
        agent,
        "  メール  未対応 ",
        {"channel": "email", "q": " ", "status": ["open", "new"], "order": "priority"},
    )
    assert view.name == "メール 未対応"
    assert view.filters == {
        "channel": "email",
        "order": "priority",
        "status": ["open", "new"],
        "view": "",
    }
    assert not view.shared
    assert list(saved_views_for(agent)) == [view]


@pytest.mark.parametrize(
    "name, filters, code",
    [
        ("", {}, "name_required"),
        ("x" * 81, {}, "name_too_long"),
        ("ok", {"cursor": "abc"}, "unknown_filters"),
        ("ok", {"nonsense": "1"}, "unknown_filters"),
        ("ok", {"view": "bogus"}, "invalid_filters"),
        ("ok", {"order": "sideways"}, "invalid_filters"),
        ("ok", {"status": ["bogus"]}, "invalid_filters"),
        ("ok", {"tag": 5}, "invalid_filters"),
        ("ok", ["not", "a", "dict"], "invalid_filters"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(agent, name, filters, code):
    with pytest.raises(ValidationFailed) as info:
        do_create_saved_view(agent, name, filters)
    assert info.value.code == code
    assert not SavedView.objects.exists()


def test_names_are_unique_per_owner(agent, make_agent):
    other = make_agent("agent")
    do_create_saved_view(agent, "返品", {"tag": "返品"})
    with pytest.raises(Conflict):
        do_create_saved_view(agent, "返品", {"tag": "返品2"})
    do_create_saved_view(other, "返品", {"tag": "返品"})  # another owner may use it
    second = do_create_saved_view(agent, "配送", {})
    with pytest.raises(Conflict):
        do_update_saved_view(agent, second.pk, name="返品")
    assert SavedView.objects.count() == 3


def test_sharing_needs_a_lead_or_admin_and_is_audited(agent, make_agent):
    lead = make_agent("lead")
    with pytest.raises(Forbidden):
        do_create_saved_view(agent, "共有", {}, shared=True)
    mine = do_create_saved_view(agent, "自分用", {})
    with pytest.raises(Forbidden):
        do_update_saved_view(agent, mine.pk, shared=True)
    assert not AuditEntry.objects.filter(action__startswith="saved_view.").exists()

    shared = do_create_saved_view(lead, "緊急", {"priority": "urgent"}, shared=True)
    assert shared in saved_views_for(agent)  # everyone sees it
    assert mine not in saved_views_for(lead)  # personal stays personal
    with pytest.raises(Forbidden):
        do_update_saved_view(agent, shared.pk, name="乗っ取り")
    with pytest.raises(Forbidden):
        do_delete_saved_view(agent, shared.pk)
    with pytest.raises(NotFound):
        do_delete_saved_view(lead, mine.pk)

    do_update_saved_view(lead, shared.pk, name="緊急のみ")
    do_update_saved_view(lead, shared.pk, shared=False)
    actions = list(
        AuditEntry.objects.filter(target_type="saved_view")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["saved_view.create", "saved_view.update", "saved_view.update"]
    do_update_saved_view(lead, shared.pk, name="個人用")  # personal again: not audited
    assert AuditEntry.objects.filter(target_type="saved_view").count() == 3
    do_update_saved_view(lead, shared.pk, shared=True)
    do_delete_saved_view(lead, shared.pk)
    assert AuditEntry.objects.filter(action="saved_view.delete").count() == 1
    assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_move_up_and_down(agent):
    a, _b, c = (do_create_saved_view(agent, n, {}) for n in ("A", "B", "C"))
    do_move_saved_view(agent, c.pk, "up")
    assert [v.name for v in saved_views_for(agent)] == ["A", "C", "B"]
    do_move_saved_view(agent, a.pk, "up")  # already first: unchanged
    do_move_saved_view(agent, a.pk, "down")
    assert [v.name for v in saved_views_for(agent)] == ["C", "A", "B"]
    with pytest.raises(ValidationFailed):
        do_move_saved_view(agent, a.pk, "sideways")
