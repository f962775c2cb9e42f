"""The tags page: counts, rename, merge, delete; bad input is 422 with the reason."""

from __future__ import annotations

import pytest

from madoguchi.tickets.models import Tag

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
def test_lists_tags_with_counts(login, make_agent, make_ticket, language):
    ticket = make_ticket("form")
    ticket.tags.add(Tag.objects.create(name="返品"))
    page = login(make_agent("lead"), language).get("/settings/tags/")
    assert page.status_code == 200
    assert "返品" in page.text
    row = page.text.split('data-tag-id="')[1]
    assert '<td class="num">1</td>' in row


def test_rename_merge_delete(login, admin, make_ticket):
    ticket = make_ticket("form")
    a, b = Tag.objects.create(name="配送"), Tag.objects.create(name="発送")
    ticket.tags.add(a)
    client = login(admin, "en")
    assert client.post(f"/settings/tags/{a.pk}/rename/", {"name": "配達"}).status_code == 302
    response = client.post(f"/settings/tags/{a.pk}/rename/", {"name": "発送"})
    assert response.status_code == 422 and "merge into it instead" in response.text
    assert client.post(f"/settings/tags/{a.pk}/merge/", {"into": "発送"}).status_code == 302
    assert list(ticket.tags.values_list("name", flat=True)) == ["発送"]
    response = client.post(f"/settings/tags/{b.pk}/merge/", {"into": ""})
    assert response.status_code == 422
    assert client.post(f"/settings/tags/{b.pk}/delete/").status_code == 302
    assert not Tag.objects.exists()
    assert client.post("/settings/tags/999999/delete/").status_code == 404
