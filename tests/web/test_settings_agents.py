"""The agents settings page: admins list, create, edit and deactivate agents, grant inboxes."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import Agent, AuditEntry, Team

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "担当者とロール"), ("en", "Agents and roles")]
)
def test_list_shows_agents_in_both_languages(login, admin, make_agent, language, title):
    Team.objects.create(name="一次対応")
    outsider = make_agent("outsourced", "外部 次郎")
    outsider.teams.set(Team.objects.all())
    page = login(admin, language).get("/settings/agents/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "外部 次郎" in text and outsider.user.username in text and "一次対応" in text
    if language == "en":
        assert title in text and "Outsourced agent" in text and "Asia/Tokyo" in text


def test_create_agent_from_the_form(login, admin):
    team = Team.objects.create(name="返品")
    client = login(admin, "en")
    assert client.get("/settings/agents/new/").status_code == 200
    response = client.post(
        "/settings/agents/new/",
        {
            "username": "tanaka",
            "display_name": "田中 三郎",
            "email": "tanaka@shop.test",
            "password": "good-long-pass-5",
            "role": "outsourced",
            "teams": [str(team.pk)],
            "language": "ja",
            "time_zone": "Asia/Tokyo",
        },
    )
    created = Agent.objects.get(user__username="tanaka")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/agents/{created.pk}/"
    assert created.role == "outsourced" and list(created.teams.all()) == [team]
    edit = client.get(response["Location"])
    assert "Inbox access" in edit.content.decode()  # outsourced: the grants panel shows


def test_create_agent_bad_input_is_422_with_message(login, admin):
    client = login(admin, "en")
    before = Agent.objects.count()
    response = client.post(
        "/settings/agents/new/",
        {
            "username": "ok-name",
            "display_name": "x",
            "password": "123",
            "role": "agent",
            "language": "ja",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert response.status_code == 422
    assert "This password is too short" in response.content.decode()
    response = client.post("/settings/agents/new/", {"username": "", "role": "nope"})
    assert response.status_code == 422
    assert Agent.objects.count() == before


def test_edit_role_and_deactivate(login, admin, agent):
    client = login(admin, "en")
    response = client.post(
        f"/settings/agents/{agent.pk}/",
        {
            "display_name": "佐藤 花子",
            "email": "hanako@shop.test",
            "role": "viewer",
            "language": "en",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.role, agent.language, agent.time_zone, agent.user.email) == (
        "viewer",
        "en",
        "UTC",
        "hanako@shop.test",
    )
    response = client.post(f"/settings/agents/{agent.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    agent.user.refresh_from_db()
    assert not agent.user.is_active
    client.post(f"/settings/agents/{agent.pk}/active/", {"active": "1"})
    agent.user.refresh_from_db()
    assert agent.user.is_active
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["agent.update", "agent.deactivate", "agent.reactivate"]


def test_admin_cannot_deactivate_or_demote_themselves(login, admin):
    client = login(admin, "en")
    response = client.post(f"/settings/agents/{admin.pk}/active/", {"active": "0"})
    assert response.status_code == 409
    assert "You cannot deactivate yourself." in response.content.decode()
    response = client.post(
        f"/settings/agents/{admin.pk}/",
        {"display_name": "x", "role": "agent", "language": "ja", "time_zone": "Asia/Tokyo"},
    )
    assert response.status_code == 409
    assert "You cannot change your own role." in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == "admin" and admin.user.is_active
    assert not AuditEntry.objects.exists()


def test_set_password_and_grant_inboxes(login, admin, make_agent, inboxes):
    outsider = make_agent("outsourced")
    client = login(admin, "en")
    response = client.post(f"/settings/agents/{outsider.pk}/password/", {"password": "abc"})
    assert response.status_code == 422
    response = client.post(
        f"/settings/agents/{outsider.pk}/password/", {"password": "fresh-long-pass-3"}
    )
    assert response.status_code == 302
    outsider.user.refresh_from_db()
    assert outsider.user.check_password("fresh-long-pass-3")
    response = client.post(
        f"/settings/agents/{outsider.pk}/inboxes/", {"inboxes": [str(inboxes["email"].pk)]}
    )
    assert response.status_code == 302
    assert list(outsider.granted_inboxes.all()) == [inboxes["email"]]
    response = client.post(f"/settings/agents/{outsider.pk}/inboxes/", {"inboxes": ["999999"]})
    assert response.status_code == 422
    assert list(outsider.granted_inboxes.all()) == [inboxes["email"]]


def test_unknown_agent_is_404(login, admin):
    assert login(admin).get("/settings/agents/999999/").status_code == 404


def test_deactivated_agent_is_signed_out(client, login, admin, agent):
    from django.test import Client

    worker = Client()
    worker.force_login(agent.user)
    assert worker.get("/").status_code == 200
    login(admin, "en").post(f"/settings/agents/{agent.pk}/active/", {"active": "0"})
    response = worker.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
