"""The customer profile edited in place (htmx sections) and the merge preview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from madoguchi.customers.models import Customer, Identity
from madoguchi.search.index import match
from madoguchi.search.models import DocumentKind

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_inline_profile_edit_returns_the_section(login, agent, make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = login(agent)
    cid = ticket.customer_id
    form = client.get(reverse("web:customer_profile_form", args=[cid]), **HX).content.decode()
    assert 'id="customer-profile"' in form and "autofocus" in form and "<html" not in form
    data = {"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "language": "en",
            "preferred_channel": "line", "tags": "VIP 定期便", "notes": "午前中に連絡"}  # fmt: skip
    response = client.post(reverse("web:customer_edit", args=[cid]), data, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="customer-profile"' in html and "ヤマダ タロウ" in html and "<html" not in html
    customer = Customer.objects.get(pk=cid)
    assert customer.language == "en" and customer.tags == ["VIP", "定期便"]
    assert match(DocumentKind.CUSTOMER, "ヤマダ") == [cid]
    bad = client.post(reverse("web:customer_edit", args=[cid]), {**data, "language": "xx"}, **HX)
    assert bad.status_code == 422 and "has-error" in bad.content.decode()


def test_add_and_remove_identities(login, agent, make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = login(agent)
    cid = ticket.customer_id
    url = reverse("web:customer_identity_add", args=[cid])
    response = client.post(url, {"kind": "phone", "value": "０３ー１２３４ー５６７８"}, **HX)
    assert response.status_code == 200
    assert 'data-identity="phone:+81312345678"' in response.content.decode()
    assert match(DocumentKind.CUSTOMER, "03-1234-5678") == [cid]
    response = client.post(url, {"kind": "line", "value": "U1234abcd"}, **HX)
    assert Identity.objects.filter(customer_id=cid, kind="line", handle="U1234abcd").exists()
    bad = client.post(url, {"kind": "email", "value": "no-at-sign"}, **HX)
    assert bad.status_code == 422 and "data-error-message" in bad.content.decode()
    phone = Identity.objects.get(customer_id=cid, kind="phone")
    remove = reverse("web:customer_identity_remove", args=[cid, phone.pk])
    assert client.post(remove, **HX).status_code == 200
    assert not Identity.objects.filter(pk=phone.pk).exists()
    assert match(DocumentKind.CUSTOMER, "03-1234-5678") == []
    other = make_ticket(email="x@example.jp", name="別人")
    foreign = Identity.objects.get(customer_id=other.customer_id)
    assert (
        client.post(
            reverse("web:customer_identity_remove", args=[cid, foreign.pk]), **HX
        ).status_code
        == 404
    )
    assert Identity.objects.filter(pk=foreign.pk).exists()


def test_identity_of_another_customer_is_a_409_offering_a_merge(login, agent, make_ticket):  # type: ignore[no-untyped-def]
    mine = make_ticket()
    theirs = make_ticket(email="hanako@example.jp", name="佐々木 花子")
    client = login(agent, "en")
    response = client.post(
        reverse("web:customer_identity_add", args=[mine.customer_id]),
        {"kind": "email", "value": "HANAKO@example.jp"},
        **HX,
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "already belongs to another customer" in html
    merge = reverse("web:customer_merge", args=[mine.customer_id])
    assert f"{merge}?target={theirs.customer_id}" in html
    assert Identity.objects.get(handle="hanako@example.jp").customer_id == theirs.customer_id


def test_custom_fields_editor(login, agent, make_ticket):  # type: ignore[no-untyped-def]
    cid = make_ticket().customer_id
    client = login(agent)
    url = reverse("web:customer_fields", args=[cid])
    data = {"field_key": ["会員ランク", "誕生月", ""], "field_value": ["ゴールド", "5月", "x"]}
    response = client.post(url, data, **HX)
    assert response.status_code == 200 and 'value="ゴールド"' in response.content.decode()
    assert Customer.objects.get(pk=cid).custom_fields == {"会員ランク": "ゴールド", "誕生月": "5月"}
    dup = client.post(url, {"field_key": ["a", "a"], "field_value": ["1", "2"]}, **HX)
    assert dup.status_code == 422
    too_long = client.post(url, {"field_key": ["k" * 65], "field_value": ["v"]}, **HX)
    assert too_long.status_code == 422
    assert Customer.objects.get(pk=cid).custom_fields == {"会員ランク": "ゴールド", "誕生月": "5月"}
    client.post(url, {"field_key": ["誕生月"], "field_value": ["6月"]})
    assert Customer.objects.get(pk=cid).custom_fields == {"誕生月": "6月"}


def test_customer_tickets_page_by_keyset(login, agent, make_ticket, monkeypatch):  # type: ignore[no-untyped-def]
    from madoguchi.web.views import customer_profile

    monkeypatch.setattr(customer_profile, "TICKETS_PAGE", 2)
    tickets = [make_ticket(subject=f"件名{n}") for n in range(3)]
    client = login(agent)
    cid = tickets[0].customer_id
    first = client.get(reverse("web:customer", args=[cid])).content.decode()
    assert "件名2" in first and "件名1" in first and "件名0" not in first
    assert f"?before={tickets[1].pk}" in first
    older = client.get(
        reverse("web:customer_tickets", args=[cid]), {"before": tickets[1].pk}, **HX
    ).content.decode()
    assert "件名0" in older and "件名1" not in older
    assert (
        client.get(reverse("web:customer_tickets", args=[cid]), {"before": "x"}).status_code == 422
    )


def test_merge_preview_shows_what_moves(login, agent, make_ticket):  # type: ignore[no-untyped-def]
    source = make_ticket(email="old@example.jp", name="山田 太郎")
    make_ticket(email="old@example.jp", subject="二件目")
    target = make_ticket(email="new@example.jp", name="")
    Customer.objects.filter(pk=target.customer_id).update(name="", tags=["VIP"])
    Customer.objects.filter(pk=source.customer_id).update(tags=["返品"], notes="古いメモ")
    client = login(agent, "en")
    url = reverse("web:customer_merge", args=[source.customer_id])
    picker = client.get(url).content.decode()
    assert 'id="merge-search"' in picker and "What the merge does" not in picker
    html = client.get(url, {"target": target.customer_id}).content.decode()
    assert "What the merge does" in html
    assert "old@example.jp" in html and "new@example.jp" in html
    assert "2 tickets move" in html and "1 handle moves" in html
    assert "VIP, 返品" in html
    assert f'name="target" value="{target.customer_id}"' in html
    assert Customer.objects.get(pk=source.customer_id).merged_into_id is None  # only a preview
    self_merge = client.get(url, {"target": source.customer_id})
    assert self_merge.status_code == 422
    response = client.post(url, {"target": target.customer_id})
    assert response.status_code == 302
    kept = Customer.objects.get(pk=target.customer_id)
    assert kept.name == "山田 太郎" and kept.tags == ["VIP", "返品"] and kept.tickets.count() == 3


def test_merge_preview_needs_the_merge_right(login, make_agent, make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = login(make_agent("viewer"))
    assert client.get(reverse("web:customer_merge", args=[ticket.customer_id])).status_code == 403
