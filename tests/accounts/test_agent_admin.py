"""Admins manage agents through actions: every change audited, the last admin protected."""

from __future__ import annotations

import pytest

from madoguchi.accounts.agent_admin import (
    do_create_agent,
    do_set_agent_active,
    do_set_agent_password,
    do_update_agent,
)
from madoguchi.accounts.models import Agent, AuditEntry, Team
from madoguchi.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from madoguchi.inboxes.admin_actions import do_set_agent_inboxes

pytestmark = pytest.mark.django_db


def _profile(agent: Agent, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "display_name": agent.display_name,
        "email": agent.user.email,
        "role": agent.role,
        "team_ids": [],
        "language": agent.language,
        "time_zone": agent.time_zone,
    }
    data.update(overrides)
    return data


def test_create_agent_writes_login_profile_teams_and_audit(admin):
    team = Team.objects.create(name="一次対応")
    created = do_create_agent(
        admin,
        username="suzuki",
        display_name="鈴木 一郎",
        email="suzuki@shop.test",
        password="long-enough-pass-9",
        role="lead",
        team_ids=[team.pk],
        language="en",
        time_zone="Europe/London",
    )
    created.refresh_from_db()
    assert created.user.check_password("long-enough-pass-9")
    assert created.role == "lead" and created.language == "en"
    assert list(created.teams.all()) == [team]
    entry = AuditEntry.objects.get(action="agent.create")
    assert entry.actor == admin and entry.target_id == str(created.pk)
    assert entry.data["teams"] == ["一次対応"] and "password" not in entry.data


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("username", {"username": "bad name!"}),
        ("username", {"username": "ADMIN-2"}),  # taken, case-insensitively
        ("password", {"password": "short"}),
        ("email", {"email": "not-an-email"}),
        ("role", {"role": "superuser"}),
        ("time_zone", {"time_zone": "Mars/Base"}),
        ("teams", {"team_ids": [999999]}),
        ("display_name", {"display_name": "  "}),
    ],
)
def test_create_agent_rejects_bad_input_and_writes_nothing(admin, field, overrides):
    # The admin fixture's login is "admin-1"; create one named admin-2 to collide with.
    do_create_agent(admin, username="admin-2", display_name="x", password="long-enough-pass-9")
    before = (Agent.objects.count(), AuditEntry.objects.count())
    data = {
        "username": "new-agent",
        "display_name": "新人",
        "password": "long-enough-pass-9",
        **overrides,
    }
    with pytest.raises(ValidationFailed) as exc:
        do_create_agent(admin, **data)  # type: ignore[arg-type]
    assert exc.value.details == {"field": field}
    assert (Agent.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("role", ["lead", "agent", "outsourced", "viewer"])
def test_only_admins_manage_agents(make_agent, role, admin):
    actor = make_agent(role)
    with pytest.raises(Forbidden):
        do_create_agent(actor, username="x1", display_name="x", password="long-enough-pass-9")
    with pytest.raises(Forbidden):
        do_update_agent(actor, admin.pk, **_profile(admin, role="agent"))  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        do_set_agent_active(actor, admin.pk, False)
    with pytest.raises(Forbidden):
        do_set_agent_password(actor, admin.pk, "long-enough-pass-9")
    admin.refresh_from_db()
    assert admin.role == "admin" and admin.user.is_active
    assert not AuditEntry.objects.exists()


def test_update_records_what_changed(admin, agent):
    team = Team.objects.create(name="返品")
    do_update_agent(
        admin,
        agent.pk,
        **_profile(agent, role="lead", team_ids=[team.pk], time_zone="UTC"),  # type: ignore[arg-type]
    )
    entry = AuditEntry.objects.get(action="agent.update")
    assert entry.data["changes"] == {
        "role": ["agent", "lead"],
        "teams": [[], ["返品"]],
        "time_zone": ["Asia/Tokyo", "UTC"],
    }


def test_saving_without_changes_writes_no_audit_row(admin, agent):
    do_update_agent(admin, agent.pk, **_profile(agent))  # type: ignore[arg-type]
    assert not AuditEntry.objects.exists()


def test_last_admin_cannot_be_demoted_or_deactivated(admin, make_agent):
    other = make_agent("admin", "二人目")
    do_set_agent_active(admin, other.pk, False)  # fine: admin stays
    with pytest.raises(Conflict) as exc:
        do_set_agent_active(admin, admin.pk, False)
    assert exc.value.code == "own_account"
    with pytest.raises(Conflict) as exc:
        do_update_agent(admin, admin.pk, **_profile(admin, role="agent"))  # type: ignore[arg-type]
    assert exc.value.code == "own_role"
    admin.refresh_from_db()
    assert admin.role == "admin" and admin.user.is_active


def test_an_admin_demotes_another_while_one_admin_stays(admin, make_agent):
    second = make_agent("admin", "二人目")
    do_update_agent(admin, second.pk, **_profile(second, role="lead"))  # type: ignore[arg-type]
    second.refresh_from_db()
    assert second.role == "lead"
    # Now the first admin is the last one: the own-account rules keep them in place.
    with pytest.raises(Conflict):
        do_update_agent(admin, admin.pk, **_profile(admin, role="lead"))  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        do_set_agent_active(admin, admin.pk, False)
    assert Agent.objects.filter(role="admin", user__is_active=True).count() == 1


def test_deactivated_admin_cannot_act(admin, make_agent):
    other = make_agent("admin", "二人目")
    do_set_agent_active(other, admin.pk, False)
    admin.refresh_from_db()
    with pytest.raises(Forbidden):
        do_set_agent_active(admin, other.pk, False)


def test_password_is_set_and_audited_without_the_value(admin, agent):
    do_set_agent_password(admin, agent.pk, "another-good-pass-7")
    agent.user.refresh_from_db()
    assert agent.user.check_password("another-good-pass-7")
    entry = AuditEntry.objects.get(action="agent.password")
    assert "another-good-pass-7" not in str(entry.data)
    with pytest.raises(ValidationFailed):
        do_set_agent_password(admin, agent.pk, "12")
    with pytest.raises(NotFound):
        do_set_agent_password(admin, 999999, "another-good-pass-7")


def test_inbox_grants_only_for_outsourced_agents(admin, agent, make_agent, inboxes):
    outsider = make_agent("outsourced")
    do_set_agent_inboxes(admin, outsider.pk, [inboxes["email"].pk, inboxes["form"].pk])
    assert set(outsider.granted_inboxes.values_list("kind", flat=True)) == {"email", "form"}
    do_set_agent_inboxes(admin, outsider.pk, [inboxes["form"].pk])
    assert list(outsider.granted_inboxes.values_list("kind", flat=True)) == ["form"]
    entries = AuditEntry.objects.filter(action="agent.inboxes").order_by("id")
    assert entries.count() == 2
    assert entries.last().data["changes"]["inboxes"][1] == [inboxes["form"].name]
    with pytest.raises(ValidationFailed):
        do_set_agent_inboxes(admin, agent.pk, [inboxes["form"].pk])
    with pytest.raises(ValidationFailed):
        do_set_agent_inboxes(admin, outsider.pk, [999999])
    with pytest.raises(Forbidden):
        do_set_agent_inboxes(agent, outsider.pk, [])
    assert list(outsider.granted_inboxes.values_list("kind", flat=True)) == ["form"]
