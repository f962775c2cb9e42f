"""Settings pages are for leads and admins: other roles get 403 and nothing is written."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import AuditEntry, Brand, Team
from madoguchi.inboxes.models import Inbox
from madoguchi.tickets.models import Macro, Tag

pytestmark = pytest.mark.django_db

ADMIN_ONLY = ["/settings/agents/", "/settings/agents/new/"]
LEAD_AND_ADMIN = [
    "/settings/teams/",
    "/settings/brands/",
    "/settings/inboxes/",
    "/settings/macros/",
    "/settings/tags/",
    "/settings/audit/",
    "/settings/inboxes/new/email/",
    "/settings/macros/new/",
]


def _agent_posts(agent_id: int) -> list[tuple[str, dict[str, object]]]:
    return [
        ("/settings/agents/new/", {"username": "x", "display_name": "x", "password": "x"}),
        (f"/settings/agents/{agent_id}/", {"display_name": "x", "role": "admin"}),
        (f"/settings/agents/{agent_id}/active/", {"active": "0"}),
        (f"/settings/agents/{agent_id}/password/", {"password": "long-enough-pass-9"}),
        (f"/settings/agents/{agent_id}/inboxes/", {"inboxes": []}),
    ]


def _lead_posts() -> list[tuple[str, dict[str, object]]]:
    team = Team.objects.get()
    brand = Brand.objects.get()
    inbox = Inbox.objects.get()
    macro = Macro.objects.get()
    tag = Tag.objects.get()
    brand_data = {"name": "x", "slug": "x", "default_language": "ja"}
    return [
        ("/settings/teams/", {"name": "new team"}),
        (f"/settings/teams/{team.pk}/rename/", {"name": "x"}),
        (f"/settings/teams/{team.pk}/delete/", {}),
        ("/settings/brands/", brand_data),
        (f"/settings/brands/{brand.pk}/", brand_data),
        (f"/settings/brands/{brand.pk}/delete/", {}),
        ("/settings/inboxes/new/api/", {"name": "x", "slug": "x", "brand": brand.pk}),
        (f"/settings/inboxes/{inbox.pk}/", {"name": "x", "brand": brand.pk}),
        ("/settings/macros/new/", {"name": "x", "shared": "on"}),
        (f"/settings/macros/{macro.pk}/", {"name": "x", "shared": "on"}),
        (f"/settings/macros/{macro.pk}/delete/", {}),
        ("/settings/macros/preview/", {"body": "{{agent.name}}"}),
        (f"/settings/tags/{tag.pk}/rename/", {"name": "x"}),
        (f"/settings/tags/{tag.pk}/merge/", {"into": "x"}),
        (f"/settings/tags/{tag.pk}/delete/", {}),
    ]


def _gets() -> list[str]:
    brand = Brand.objects.get()
    inbox = Inbox.objects.get()
    return [
        *ADMIN_ONLY,
        *LEAD_AND_ADMIN,
        f"/settings/brands/{brand.pk}/",
        f"/settings/inboxes/{inbox.pk}/",
        f"/settings/macros/{Macro.objects.get().pk}/",
    ]


@pytest.fixture
def rows(db):  # type: ignore[no-untyped-def]
    brand = Brand.objects.create(name="b", slug="b")
    inbox = Inbox.objects.create(brand=brand, kind="api", name="i", slug="i")
    Macro.objects.create(name="m", body="b")
    Tag.objects.create(name="tg")
    return Team.objects.create(name="t"), brand, inbox


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_other_roles_get_403_everywhere(login, make_agent, admin, role, rows):
    client = login(make_agent(role), "en")
    for url in [*_gets(), f"/settings/agents/{admin.pk}/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Your role does not allow this action." in response.text
    for url, data in _agent_posts(admin.pk) + _lead_posts():
        response = client.post(url, data)
        assert response.status_code == 403, url
    assert not AuditEntry.objects.exists()
    admin.refresh_from_db()
    assert admin.display_name != "x" and admin.user.is_active
    assert list(Team.objects.values_list("name", flat=True)) == ["t"]
    assert list(Brand.objects.values_list("name", flat=True)) == ["b"]
    assert list(Inbox.objects.values_list("name", flat=True)) == ["i"]
    assert list(Macro.objects.values_list("name", flat=True)) == ["m"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["tg"]


def test_leads_get_403_on_agent_pages(login, make_agent, admin, rows):
    client = login(make_agent("lead"), "en")
    for url in ADMIN_ONLY:
        assert client.get(url).status_code == 403
    for url in LEAD_AND_ADMIN:
        assert client.get(url).status_code == 200
    for url, data in _agent_posts(admin.pk):
        assert client.post(url, data).status_code == 403, url
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["agent", "outsourced", "viewer"])
def test_settings_index_and_nav_show_only_allowed_links(login, make_agent, role):
    page = login(make_agent(role), "en").get("/settings/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/settings/tokens/" in text
    for url in ADMIN_ONLY[:1] + LEAD_AND_ADMIN[:6]:
        assert url not in text


def test_admin_sees_every_settings_link(login, admin):
    text = login(admin, "en").get("/settings/").content.decode()
    for url in ADMIN_ONLY[:1] + LEAD_AND_ADMIN[:6] + ["/settings/tokens/"]:
        assert url in text


@pytest.mark.parametrize("language", ["ja", "en"])
def test_index_renders_in_both_languages(login, make_agent, language):
    page = login(make_agent("lead"), language).get("/settings/")
    assert page.status_code == 200
    assert f'lang="{language}"' in page.text
    assert "/settings/macros/" in page.text and "/settings/agents/" not in page.text
