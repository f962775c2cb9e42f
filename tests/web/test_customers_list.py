"""The customer directory: search results are keyset-paged like the plain list."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_search_results_page_with_the_query_kept(login, agent, make_ticket, monkeypatch):  # type: ignore[no-untyped-def]
    from madoguchi.web.views import customers as view

    monkeypatch.setattr(view, "PAGE_SIZE", 2)
    for n in range(3):
        make_ticket(email=f"yamada{n}@example.jp", name=f"山田 {n}号")
    make_ticket(email="sato@example.jp", name="佐藤 一郎")
    client = login(agent)
    first = client.get(reverse("web:customers"), {"q": "山田"}).content.decode()
    link = re.search(r'rel="next" href="\?q=([^&]+)&amp;cursor=([^"]+)"', first)
    assert link, first
    second = client.get(
        reverse("web:customers"), {"q": "山田", "cursor": link.group(2)}
    ).content.decode()
    names = re.findall(r"山田 \d号", first + second)
    assert sorted(names) == ["山田 0号", "山田 1号", "山田 2号"]
    assert "佐藤 一郎" not in first + second


@pytest.mark.parametrize(
    "typed", ["０９０ー１２３４ー５６７８", "+81-90-1234-5678", "(090)1234-5678"]
)
def test_search_by_phone_in_any_format(login, agent, make_ticket, typed):  # type: ignore[no-untyped-def]
    ticket = make_ticket(phone="090 1234 5678")
    make_ticket(email="x@example.jp", phone="03-0000-1111", name="別人")
    html = login(agent).get(reverse("web:customers"), {"q": typed}).content.decode()
    assert reverse("web:customer", args=[ticket.customer_id]) in html
    assert "別人" not in html


def test_list_is_searchable_as_you_type(login, agent):  # type: ignore[no-untyped-def]
    html = login(agent).get(reverse("web:customers")).content.decode()
    assert 'hx-select="#customer-results"' in html and 'id="customer-results"' in html
