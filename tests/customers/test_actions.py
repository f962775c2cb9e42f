"""customers.actions: find-or-create by handle, create/update with checks, conflicts."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from madoguchi.core.errors import Conflict, Forbidden, ValidationFailed
from madoguchi.customers.actions import (
    Handle,
    do_create_customer,
    do_update_customer,
    find_or_create,
    normalise_handle,
)
from madoguchi.customers.models import Customer, Identity
from madoguchi.search.index import match
from madoguchi.search.models import DocumentKind


def test_find_or_create_makes_one_customer_per_person(db):
    first, created = find_or_create(
        [Handle("email", "Hanako@Example.JP"), Handle("phone", "090-2222-3333")],
        name="佐藤 花子",
        name_kana="サトウ ハナコ",
    )
    assert created
    assert first.preferred_channel == "email"
    again, created_again = find_or_create([Handle("phone", "+81 90 2222 3333")], name="別の名前")
    assert again.pk == first.pk and not created_again
    assert Customer.objects.get(pk=first.pk).name == "佐藤 花子"  # a known name is kept
    primary = {i.kind: i.is_primary for i in Identity.objects.filter(customer=first)}
    assert primary == {"email": True, "phone": True}


def test_find_or_create_fills_a_missing_name(db):
    customer, _ = find_or_create([Handle("line", "U1234567890")])
    assert customer.name == ""
    again, _ = find_or_create(
        [Handle("line", "U1234567890")], name="LINEの人", name_kana="ラインノヒト"
    )
    again.refresh_from_db()
    assert (again.pk, again.name, again.name_kana) == (customer.pk, "LINEの人", "ラインノヒト")


def test_handle_owned_by_someone_else_is_not_moved(db):
    a, _ = find_or_create([Handle("email", "a@example.jp")])
    b, _ = find_or_create([Handle("email", "b@example.jp")])
    found, created = find_or_create(
        [Handle("email", "b@example.jp"), Handle("email", "a@example.jp")]
    )
    assert found.pk == b.pk and not created
    assert Identity.objects.get(handle="a@example.jp").customer_id == a.pk


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("email", " Taro@Example.JP ", "taro@example.jp"),
        ("phone", "090-1234-5678", "+819012345678"),
        ("phone", "09012345678", "+819012345678"),
        ("phone", "+81 90 1234 5678", "+819012345678"),
        ("phone", "０９０−１２３４−５６７８", "+819012345678"),
        ("phone", "(03) 1234-5678", "+81312345678"),
        ("fax", "06-1234-5678", "+81612345678"),
        ("line", " U4af4980629 ", "U4af4980629"),
    ],
)
def test_normalise_handle(kind, value, expected):
    assert normalise_handle(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("email", ""),
        ("email", "taro"),
        ("email", "taro@"),
        ("email", "a b@example.jp"),
        ("email", "x" * 250 + "@example.jp"),
        ("phone", ""),
        ("phone", "abc"),
        ("phone", "12"),
        ("phone", "0120-ABC-DEF"),
        ("line", ""),
        ("line", "x" * 321),
        ("carrier-pigeon", "coo"),
    ],
)
def test_bad_handles_are_refused(kind, value):
    with pytest.raises(ValidationFailed) as info:
        normalise_handle(kind, value)
    assert info.value.code == "invalid_handle"


def test_create_customer_indexes_and_checks(agent):
    customer = do_create_customer(
        agent,
        {"name": " 高橋 健 ", "name_kana": "タカハシ ケン", "tags": ["VIP", " VIP ", ""]},
        [Handle("email", "Ken@Example.jp"), Handle("phone", "080-1111-2222")],
    )
    assert customer.name == "高橋 健"
    assert customer.tags == ["VIP"]
    assert sorted(customer.identities.values_list("handle", flat=True)) == [
        "+818011112222",
        "ken@example.jp",
    ]
    assert match(DocumentKind.CUSTOMER, "高橋") == [customer.pk]
    assert match(DocumentKind.CUSTOMER, "080-1111-2222") == [customer.pk]


def test_create_customer_with_taken_identity_conflicts_and_writes_nothing(agent):
    owner = do_create_customer(agent, {"name": "先客"}, [Handle("email", "taken@example.jp")])
    with pytest.raises(Conflict) as info:
        do_create_customer(
            agent,
            {"name": "後客"},
            [Handle("phone", "090-5555-6666"), Handle("email", "TAKEN@example.jp")],
        )
    assert info.value.code == "identity_taken"
    assert info.value.details == {"customer_id": owner.pk}
    assert Customer.objects.count() == 1
    assert Identity.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"nickname": "x"}, "unknown_fields"),
        ({"name": "x" * 201}, "field_too_long"),
        ({"address": "x" * 301}, "field_too_long"),
        ({"name": 123}, "invalid_field"),
        ({"tags": "VIP"}, "invalid_tags"),
        ({"tags": [1]}, "invalid_tags"),
        ({"tags": [f"t{i}" for i in range(51)]}, "invalid_tags"),
        ({"custom_fields": ["x"]}, "invalid_custom_fields"),
        ({"language": "klingon"}, "invalid_language"),
        ({"preferred_channel": "telepathy"}, "invalid_channel"),
    ],
)
def test_bad_customer_fields_are_refused(agent, fields, code):
    with pytest.raises(ValidationFailed) as info:
        do_create_customer(agent, fields, [])
    assert info.value.code == code
    assert Customer.objects.count() == 0


def test_viewer_cannot_create_or_update(make_agent, agent):
    viewer = make_agent("viewer")
    with pytest.raises(Forbidden):
        do_create_customer(viewer, {"name": "x"}, [])
    customer = do_create_customer(agent, {"name": "元の名前"}, [])
    with pytest.raises(Forbidden):
        do_update_customer(viewer, customer, {"name": "新しい名前"})
    assert Customer.objects.get(pk=customer.pk).name == "元の名前"


def test_update_customer_fields_and_handles(agent):
    customer = do_create_customer(agent, {"name": "中村"}, [Handle("email", "n@example.jp")])
    do_update_customer(
        agent,
        customer,
        {
            "name": "中村 美咲",
            "notes": "電話は夕方以降希望",
            "custom_fields": {"会員ランク": "ゴールド"},
        },
        [Handle("phone", "070-1234-0000"), Handle("email", "N@Example.jp")],
    )
    customer.refresh_from_db()
    assert customer.name == "中村 美咲"
    assert customer.custom_fields == {"会員ランク": "ゴールド"}
    assert sorted(customer.identities.values_list("kind", flat=True)) == ["email", "phone"]
    assert match(DocumentKind.CUSTOMER, "美咲") == [customer.pk]


def test_update_refuses_unknown_fields_and_taken_handles(agent):
    other = do_create_customer(agent, {"name": "他人"}, [Handle("email", "other@example.jp")])
    customer = do_create_customer(agent, {"name": "本人"}, [])
    with pytest.raises(ValidationFailed) as info:
        do_update_customer(agent, customer, {"name": "変更", "is_vip": True})
    assert info.value.code == "unknown_fields"
    with pytest.raises(Conflict) as conflict:
        do_update_customer(agent, customer, {"name": "変更"}, [Handle("email", "other@example.jp")])
    assert conflict.value.details == {"customer_id": other.pk}
    customer.refresh_from_db()
    assert customer.name == "本人"
    assert customer.identities.count() == 0


def test_merged_customer_cannot_be_edited(agent, admin):
    from madoguchi.tickets.actions import do_merge_customers

    source = do_create_customer(agent, {"name": "旧"}, [])
    target = do_create_customer(agent, {"name": "新"}, [])
    do_merge_customers(admin, source, target)
    with pytest.raises(Conflict) as info:
        do_update_customer(agent, source, {"name": "変更"})
    assert info.value.code == "customer_merged"


def test_new_customer_losing_a_race_never_keeps_a_customer_without_handles(inboxes, monkeypatch):
    """Another writer commits the same new handle between our lookup and our insert."""
    from madoguchi.customers import actions
    from tests.inboxes.factories import receive

    first = receive(inboxes["form"], sender=actions_handle("race@example.jp"))
    real = actions._known
    lookups: list[int] = []

    def stale_first_lookup(handles):  # type: ignore[no-untyped-def]
        lookups.append(1)
        return {} if len(lookups) == 1 else real(handles)

    monkeypatch.setattr(actions, "_known", stale_first_lookup)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            find_or_create([Handle("email", "race@example.jp")])
    lookups.clear()  # ingest meets the same race on its first try and runs again
    again = receive(inboxes["form"], sender=actions_handle("RACE@example.jp"))
    assert len(lookups) == 2
    assert again.customer_id == first.customer_id
    assert Customer.objects.count() == 1
    assert Identity.objects.count() == 1


def actions_handle(value: str):  # type: ignore[no-untyped-def]
    from madoguchi.inboxes.messages import SenderHandle

    return SenderHandle("email", value)


def test_handle_taken_between_check_and_insert_is_a_conflict(agent, monkeypatch):
    from madoguchi.customers import actions

    do_create_customer(agent, {"name": "先"}, [Handle("email", "late@example.jp")])
    monkeypatch.setattr(actions, "_check_handles_free", lambda handles, owner_id=None: None)
    with pytest.raises(Conflict) as info:
        do_create_customer(agent, {"name": "後"}, [Handle("email", "late@example.jp")])
    assert info.value.code == "identity_taken"
    assert Customer.objects.count() == 1 and Identity.objects.count() == 1
