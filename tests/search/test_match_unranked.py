"""match_unranked(): the same hits as match(), capped, unranked, session settings untouched."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from madoguchi.inboxes.messages import SenderHandle
from madoguchi.search.index import match, match_unranked
from madoguchi.search.models import DocumentKind
from tests.inboxes.factories import receive
from tests.search.test_search import NASTY

CUSTOMER = DocumentKind.CUSTOMER
TICKET = DocumentKind.TICKET


@pytest.fixture
def customers(inboxes):
    made = [
        receive(
            inboxes["api"],
            sender=SenderHandle("email", f"yamada{i}@example.jp"),
            sender_name=f"山田 {name}",
            body_text="引越しの相談です。",
        )
        for i, name in enumerate(["太郎", "花子", "一郎"])
    ]
    other = receive(
        inboxes["form"],
        sender=SenderHandle("phone", "090-1234-5678"),
        sender_name="鈴木 次郎",
        body_text="ﾛｸﾞｲﾝできません",
    )
    return {"yamada": {r.customer_id for r in made}, "suzuki": other.customer_id}


@pytest.mark.parametrize(
    "query", ["山田", "yamada", "yamada1@example.jp", "090-1234-5678", "鈴木 次"]
)
def test_same_hits_as_match(customers, query):
    found = match_unranked(CUSTOMER, query, 100)
    assert len(found) == len(set(found))
    assert set(found) == set(match(CUSTOMER, query))
    assert found


def test_finds_the_right_rows(customers):
    assert set(match_unranked(CUSTOMER, "山田", 100)) == customers["yamada"]
    assert match_unranked(CUSTOMER, "+81 90 1234 5678", 100) == [customers["suzuki"]]
    assert match_unranked(CUSTOMER, "ログイン", 100) == []  # a ticket word, not a customer's
    assert set(match_unranked(TICKET, "ログイン", 100)) == set(match(TICKET, "ログイン"))


def test_limit_caps_the_scan(customers):
    two = match_unranked(CUSTOMER, "山田", 2)
    assert len(two) == 2 and set(two) <= customers["yamada"]


@pytest.mark.parametrize("query", ["", "   ", "*", '"', "の"])
def test_empty_queries_find_nothing(customers, query):
    assert match_unranked(CUSTOMER, query, 10) == []


def test_hostile_queries_never_raise(customers):
    for query in NASTY:
        result = match_unranked(CUSTOMER, query, 10)
        assert isinstance(result, list), query


def test_session_settings_are_restored(customers):
    with transaction.atomic(), connection.cursor() as cur:
        assert set(match_unranked(CUSTOMER, "山田", 10)) == customers["yamada"]
        if connection.vendor == "postgresql":
            cur.execute("SHOW enable_seqscan")
            assert cur.fetchone()[0] == "on"
