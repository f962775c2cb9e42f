"""The inboxes settings page: list, create per kind, edit; stored secrets never shown."""

from __future__ import annotations

import pytest

from madoguchi.inboxes.models import Inbox, InboxKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
def test_list_and_every_new_form_render(login, make_agent, inboxes, language):
    client = login(make_agent("lead"), language)
    page = client.get("/settings/inboxes/")
    assert page.status_code == 200
    for inbox in inboxes.values():
        assert f"/settings/inboxes/{inbox.pk}/" in page.text
    for kind in InboxKind.values:
        assert client.get(f"/settings/inboxes/new/{kind}/").status_code == 200
    assert client.get("/settings/inboxes/new/pigeon/").status_code == 404


def test_create_line_inbox_and_secret_is_write_only(login, admin, brand):
    client = login(admin, "en")
    response = client.post(
        "/settings/inboxes/new/line/",
        {
            "name": "LINE 公式",
            "slug": "line-official",
            "brand": str(brand.pk),
            "address": "@shop",
            "channel_secret": "very-secret-value",
            "channel_access_token": "token-value-123",
        },
    )
    inbox = Inbox.objects.get(slug="line-official")
    assert response.status_code == 302
    assert inbox.credentials == {
        "channel_secret": "very-secret-value",
        "channel_access_token": "token-value-123",
    }
    edit = client.get(f"/settings/inboxes/{inbox.pk}/")
    assert edit.status_code == 200
    assert "very-secret-value" not in edit.text and "token-value-123" not in edit.text
    assert "Set. Leave empty to keep it." in edit.text


def test_edit_bad_input_is_422_and_secret_not_echoed(login, admin, inboxes):
    inbox = inboxes["form"]
    client = login(admin, "en")
    response = client.post(
        f"/settings/inboxes/{inbox.pk}/",
        {
            "name": inbox.name,
            "brand": str(inbox.brand_id),
            "address": "support@shop.test",
            "is_active": "on",
            "accent_color": "blue",
        },
    )
    assert response.status_code == 422
    assert "Enter a colour such as #1f6f78." in response.text
    inbox.refresh_from_db()
    assert inbox.settings == {}
    response = client.post(
        f"/settings/inboxes/{inboxes['sms'].pk}/",
        {"name": "", "brand": str(inbox.brand_id), "auth_token": "tok-xyz-987"},
    )
    assert response.status_code == 422 and "tok-xyz-987" not in response.text


def test_edit_saves_and_grants(login, admin, inboxes, make_agent):
    outsider = make_agent("outsourced", "外部 次郎")
    inbox = inboxes["email"]
    response = login(admin, "en").post(
        f"/settings/inboxes/{inbox.pk}/",
        {
            "name": "メール窓口",
            "brand": str(inbox.brand_id),
            "address": "help@shop.test",
            "granted_agents": [str(outsider.pk)],
            "imap_host": "imap.shop.test",
        },
    )
    assert response.status_code == 302
    inbox.refresh_from_db()
    assert (inbox.name, inbox.address, inbox.is_active) == ("メール窓口", "help@shop.test", False)
    assert inbox.settings == {"imap_host": "imap.shop.test"}
    assert list(inbox.granted_agents.all()) == [outsider]
