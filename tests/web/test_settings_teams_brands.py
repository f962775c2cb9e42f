"""Teams and brands pages: leads manage them; deleting something in use is a clear 409."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import Brand, Team

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_render(login, make_agent, brand, language):
    Team.objects.create(name="一次対応")
    client = login(make_agent("lead"), language)
    teams = client.get("/settings/teams/")
    brands = client.get("/settings/brands/")
    assert teams.status_code == brands.status_code == 200
    assert "一次対応" in teams.content.decode()
    assert "窓口テスト商店" in brands.content.decode() and "test-shop" in brands.content.decode()
    assert client.get(f"/settings/brands/{brand.pk}/").status_code == 200


def test_create_rename_delete_team(login, make_agent):
    client = login(make_agent("lead"), "en")
    assert client.post("/settings/teams/", {"name": "返品"}).status_code == 302
    team = Team.objects.get(name="返品")
    assert client.post(f"/settings/teams/{team.pk}/rename/", {"name": "交換"}).status_code == 302
    team.refresh_from_db()
    assert team.name == "交換"
    response = client.post("/settings/teams/", {"name": "交換"})
    assert response.status_code == 422 and "A team with this name exists." in response.text
    response = client.post(f"/settings/teams/{team.pk}/rename/", {"name": ""})
    assert response.status_code == 422
    assert client.post(f"/settings/teams/{team.pk}/delete/").status_code == 302
    assert not Team.objects.exists()


def test_deleting_a_team_in_use_is_409(login, make_agent, agent):
    team = Team.objects.create(name="返品")
    agent.teams.add(team)
    response = login(make_agent("lead"), "en").post(f"/settings/teams/{team.pk}/delete/")
    assert response.status_code == 409
    assert "This team is still in use" in response.text and "Agents: 1" in response.text
    assert Team.objects.filter(pk=team.pk).exists()


def test_brand_create_edit_and_delete(login, admin, brand, inboxes):
    client = login(admin, "en")
    data = {"name": "二号店", "slug": "shop-two", "support_email": "", "default_language": "en"}
    assert client.post("/settings/brands/", data).status_code == 302
    other = Brand.objects.get(slug="shop-two")
    response = client.post("/settings/brands/", {**data, "name": "三号店"})
    assert response.status_code == 422 and "Another brand uses this slug." in response.text
    response = client.post(f"/settings/brands/{other.pk}/", {**data, "support_email": "bad"})
    assert response.status_code == 422
    edit = {**data, "support_email": "two@shop.test"}
    assert client.post(f"/settings/brands/{other.pk}/", edit).status_code == 302
    other.refresh_from_db()
    assert other.support_email == "two@shop.test"
    response = client.post(f"/settings/brands/{brand.pk}/delete/")
    assert response.status_code == 409 and "This brand is still in use" in response.text
    assert client.post(f"/settings/brands/{other.pk}/delete/").status_code == 302
    assert list(Brand.objects.values_list("slug", flat=True)) == ["test-shop"]
