"""Teams and brands: created, renamed, deleted only while unused; each change audited."""

from __future__ import annotations

import pytest
from django.utils import translation

from madoguchi.accounts.models import AuditEntry, Brand, Team
from madoguchi.accounts.org_admin import (
    do_create_brand,
    do_create_team,
    do_delete_brand,
    do_delete_team,
    do_rename_team,
    do_update_brand,
    usage,
)
from madoguchi.core.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db


def test_team_lifecycle_is_audited(make_agent):
    lead = make_agent("lead")
    team = do_create_team(lead, " 一次対応 ")
    assert team.name == "一次対応"
    do_rename_team(lead, team.pk, "二次対応")
    do_delete_team(lead, team.pk)
    assert not Team.objects.exists()
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "data"))
    assert entries == [
        ("team.create", {"name": "一次対応"}),
        ("team.rename", {"changes": {"name": ["一次対応", "二次対応"]}}),
        ("team.delete", {"name": "二次対応"}),
    ]


def test_team_names_are_unique_and_required(admin):
    do_create_team(admin, "Returns")
    with pytest.raises(ValidationFailed):
        do_create_team(admin, "returns")
    with pytest.raises(ValidationFailed):
        do_create_team(admin, "   ")
    assert Team.objects.count() == 1


def test_used_team_cannot_be_deleted(admin, agent, inboxes):
    team = do_create_team(admin, "返品")
    agent.teams.add(team)
    inboxes["email"].default_team = team
    inboxes["email"].save()
    with pytest.raises(Conflict) as exc:
        do_delete_team(admin, team.pk)
    assert exc.value.status == 409
    with translation.override("en"):
        assert dict(usage(team)) == {"Agents": 1, "Inboxes": 1}
    assert Team.objects.filter(pk=team.pk).exists()


def test_brand_lifecycle_and_conflicts(admin, brand):
    other = do_create_brand(
        admin,
        name="二号店",
        slug="Second-Shop",
        support_email="two@shop.test",
        default_language="en",
    )
    assert other.slug == "second-shop"
    with pytest.raises(ValidationFailed) as exc:
        do_create_brand(admin, name="x", slug="second-shop")
    assert exc.value.details == {"field": "slug"}
    with pytest.raises(ValidationFailed):
        do_create_brand(admin, name="x", slug="ok", support_email="nope")
    with pytest.raises(ValidationFailed):
        do_create_brand(admin, name="x", slug="with space")
    do_update_brand(
        admin, other.pk, name="二号店", slug="shop-2", support_email="", default_language="en"
    )
    entry = AuditEntry.objects.get(action="brand.update")
    assert entry.data["changes"] == {
        "slug": ["second-shop", "shop-2"],
        "support_email": ["two@shop.test", ""],
    }
    do_delete_brand(admin, other.pk)
    assert not Brand.objects.filter(pk=other.pk).exists()


def test_brand_with_inboxes_is_kept(admin, inboxes, brand):
    with pytest.raises(Conflict):
        do_delete_brand(admin, brand.pk)
    assert Brand.objects.filter(pk=brand.pk).exists()
    assert not AuditEntry.objects.filter(action="brand.delete").exists()


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_only_leads_and_admins(make_agent, brand, role):
    actor = make_agent(role)
    team = Team.objects.create(name="t")
    with pytest.raises(Forbidden):
        do_create_team(actor, "x")
    with pytest.raises(Forbidden):
        do_delete_team(actor, team.pk)
    with pytest.raises(Forbidden):
        do_create_brand(actor, name="x", slug="x")
    with pytest.raises(Forbidden):
        do_delete_brand(actor, brand.pk)
    assert not AuditEntry.objects.exists()
