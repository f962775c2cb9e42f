"""The customer directory: search, profile, edit, merge and who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from madoguchi.customers.models import Customer, Identity

pytestmark = pytest.mark.django_db


def test_search_by_name_kana_email_and_phone(login, agent, make_ticket):
    ticket = make_ticket(phone="+81 90 1234 5678")
    Customer.objects.filter(pk=ticket.customer_id).update(name_kana="ヤマダ タロウ")
    from madoguchi.customers.indexing import reindex_customer

    reindex_customer(Customer.objects.get(pk=ticket.customer_id))
    make_ticket(email="other@example.jp", name="佐藤 次郎")
    client = login(agent)
    for query in ("山田", "ヤマダ", "taro@example.jp", "090-1234-5678", "09012345678"):
        html = client.get(reverse("web:customers"), {"q": query}).content.decode()
        assert reverse("web:customer", args=[ticket.customer_id]) in html, query
        assert "佐藤 次郎" not in html, query
    empty = client.get(reverse("web:customers"), {"q": "存在しない名前"}).content.decode()
    assert 'class="empty"' in empty


def test_list_paginates_with_a_cursor(login, agent, make_ticket):
    for n in range(3):
        make_ticket(email=f"c{n}@example.jp", name=f"顧客{n}")
    client = login(agent)
    from madoguchi.web.views import customers as view

    original = view.PAGE_SIZE
    view.PAGE_SIZE = 2
    try:
        first = client.get(reverse("web:customers")).content.decode()
        assert 'rel="next"' in first
        cursor = first.split('rel="next" href="?cursor=')[1].split('"')[0]
        second = client.get(reverse("web:customers") + f"?cursor={cursor}").content.decode()
        assert "顧客0" in second and "顧客0" not in first
    finally:
        view.PAGE_SIZE = original
    assert client.get(reverse("web:customers") + "?cursor=%%%").status_code == 422


def test_edit_profile_and_add_identities(login, agent, make_ticket):
    ticket = make_ticket()
    client = login(agent)
    url = reverse("web:customer_edit", args=[ticket.customer_id])
    data = {
        "name": "山田 太郎",
        "name_kana": "ヤマダ タロウ",
        "language": "ja",
        "preferred_channel": "phone",
        "postal_code": "150-0001",
        "address": "東京都渋谷区神宮前1-2-3",
        "notes": "午前中の連絡を希望",
        "tags": "VIP、リピーター",
        "add_email": "taro.work@example.jp",
        "add_phone": "03-1234-5678",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    customer = Customer.objects.get(pk=ticket.customer_id)
    assert customer.name_kana == "ヤマダ タロウ" and customer.tags == ["VIP", "リピーター"]
    handles = set(customer.identities.values_list("kind", "handle"))
    assert ("email", "taro.work@example.jp") in handles and ("phone", "+81312345678") in handles
    page = client.get(reverse("web:customer", args=[customer.pk])).content.decode()
    assert "東京都渋谷区神宮前1-2-3" in page and "03-1234-5678" in page


def test_edit_rejects_bad_input_without_writing(login, agent, make_ticket):
    ticket = make_ticket()
    other = make_ticket(email="hanako@example.jp", name="佐々木 花子")
    client = login(agent)
    url = reverse("web:customer_edit", args=[ticket.customer_id])
    base = {"name": "変更後", "language": "ja", "tags": ""}
    bad_email = client.post(url, {**base, "add_email": "not-an-email"})
    assert bad_email.status_code == 422
    taken = client.post(url, {**base, "add_email": "hanako@example.jp"})
    assert taken.status_code == 409
    assert "data-error-message" in taken.content.decode()
    customer = Customer.objects.get(pk=ticket.customer_id)
    assert customer.name == "山田 太郎"
    assert Identity.objects.get(handle="hanako@example.jp").customer_id == other.customer_id


def test_merge_customers(login, agent, make_ticket):
    source = make_ticket(email="taro.old@example.jp")
    target = make_ticket(email="taro@example.jp.new", name="山田 太郎")
    client = login(agent)
    page = client.get(reverse("web:customer", args=[source.customer_id])).content.decode()
    assert reverse("web:customer_merge", args=[source.customer_id]) in page
    url = reverse("web:customer_merge", args=[source.customer_id])
    assert client.post(url, {"target": source.customer_id}).status_code == 422
    assert client.post(url, {"target": 999999}).status_code == 404
    response = client.post(url, {"target": target.customer_id})
    assert response.status_code == 302
    source_customer = Customer.objects.get(pk=source.customer_id)
    assert source_customer.merged_into_id == target.customer_id
    source.refresh_from_db()
    assert source.customer_id == target.customer_id
    assert client.get(reverse("web:customer", args=[source_customer.pk])).status_code == 404


def test_outsourced_agent_cannot_merge_customers(login, make_agent, make_ticket, inboxes):
    source = make_ticket(email="a@example.jp", name="甲")
    target = make_ticket(email="b@example.jp", name="乙")
    outsider = make_agent("outsourced")
    inboxes["form"].granted_agents.add(outsider)
    client = login(outsider)
    page = client.get(reverse("web:customer", args=[source.customer_id])).content.decode()
    assert reverse("web:customer_merge", args=[source.customer_id]) not in page
    response = client.post(
        reverse("web:customer_merge", args=[source.customer_id]), {"target": target.customer_id}
    )
    assert response.status_code == 403
    assert Customer.objects.get(pk=source.customer_id).merged_into_id is None


def test_customer_outside_scope_is_not_found(login, make_agent, make_ticket):
    ticket = make_ticket("email")
    client = login(make_agent("outsourced"))
    assert client.get(reverse("web:customer", args=[ticket.customer_id])).status_code == 404
    listing = client.get(reverse("web:customers")).content.decode()
    assert "山田 太郎" not in listing


def test_viewer_cannot_edit(login, make_agent, make_ticket):
    ticket = make_ticket()
    client = login(make_agent("viewer"))
    page = client.get(reverse("web:customer", args=[ticket.customer_id])).content.decode()
    assert reverse("web:customer_edit", args=[ticket.customer_id]) not in page
    response = client.post(
        reverse("web:customer_edit", args=[ticket.customer_id]),
        {"name": "書き換え", "language": "ja", "tags": ""},
    )
    assert response.status_code == 403
    assert Customer.objects.get(pk=ticket.customer_id).name == "山田 太郎"
