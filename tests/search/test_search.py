"""Search over Sudachi tokens on FTS5 / tsvector: Japanese variants, numbers, phones, syntax."""

from __future__ import annotations

import pytest

from madoguchi.inboxes.messages import SenderHandle
from madoguchi.search.index import match, query_groups, query_terms
from madoguchi.search.models import DocumentKind, SearchDocument
from madoguchi.tickets.models import Ticket
from madoguchi.tickets.queries import TicketFilter, ticket_page
from tests.inboxes.factories import receive

TICKET = DocumentKind.TICKET
CUSTOMER = DocumentKind.CUSTOMER


@pytest.fixture
def desk(inboxes):
    """A few tickets with the spelling variants customers really use."""
    made = {
        "move": receive(
            inboxes["form"],
            sender=SenderHandle("email", "Taro.Yamada@Example.JP"),
            sender_name="山田 太郎",
            subject="引越しに伴う住所変更",
            body_text="来月引越しします。新しい住所に送ってください。",
        ),
        "login": receive(
            inboxes["email"],
            sender=SenderHandle("email", "hanako@example.jp"),
            sender_name="佐藤 花子",
            subject="ﾛｸﾞｲﾝできません",
            body_text="パスワードを再設定してもﾛｸﾞｲﾝできません。",
        ),
        "shirt": receive(
            inboxes["phone"],
            sender=SenderHandle("phone", "090-1234-5678"),
            sender_name="鈴木 一郎",
            subject="Ｔシャツのサイズ交換",
            body_text="Ｔシャツをもう一つ大きいサイズに交換したいです。",
        ),
        "refund": receive(
            inboxes["api"],
            sender=SenderHandle("email", "john@example.com"),
            sender_name="John Smith",
            subject="Refund request",
            body_text="I would like a refund for order 5521. Call me at 03-9876-5432.",
        ),
    }
    return {name: Ticket.objects.get(pk=r.ticket_id) for name, r in made.items()}


def ids(*tickets: Ticket) -> set[int]:
    return {t.pk for t in tickets}


@pytest.mark.parametrize("query", ["引越し", "引っ越し", "引越", "住所", "住所変更", "新しい住所"])
def test_japanese_spelling_variants_and_compounds(desk, query):
    assert set(match(TICKET, query)) == ids(desk["move"])


@pytest.mark.parametrize("query", ["ﾛｸﾞｲﾝ", "ログイン", "ログ", "ﾊﾟｽﾜｰﾄﾞ", "login"])
def test_half_width_katakana_and_login(desk, query):
    assert set(match(TICKET, query)) == ids(desk["login"])


@pytest.mark.parametrize("query", ["Ｔシャツ", "Tシャツ", "tシャツ", "ｔシャツ 交換"])
def test_full_width_latin(desk, query):
    assert set(match(TICKET, query)) == ids(desk["shirt"])


def test_ticket_number_with_and_without_hash(desk):
    ticket = desk["login"]
    assert match(TICKET, str(ticket.number)) == [ticket.pk]
    assert match(TICKET, f"#{ticket.number}") == [ticket.pk]
    assert match(TICKET, f"＃{ticket.number}") == [ticket.pk]


@pytest.mark.parametrize(
    "query", ["090-1234-5678", "09012345678", "+81 90 1234 5678", "０９０－１２３４－５６７８"]
)
def test_phone_number_finds_ticket_and_customer(desk, query):
    ticket = desk["shirt"]
    assert match(TICKET, query) == [ticket.pk]
    assert match(CUSTOMER, query) == [ticket.customer_id]


@pytest.mark.parametrize("query", ["03-9876-5432", "0398765432", "+81 3 9876 5432"])
def test_phone_number_written_in_the_message_finds_the_ticket(desk, query):
    assert match(TICKET, query) == [desk["refund"].pk]


@pytest.mark.parametrize(
    "query", ["taro.yamada@example.jp", "Taro.Yamada@Example.JP", "taro.yamada", "yamada"]
)
def test_email_finds_the_customer(desk, query):
    assert match(CUSTOMER, query) == [desk["move"].customer_id]


def test_customer_name_and_ticket_customer(desk):
    assert match(CUSTOMER, "佐藤") == [desk["login"].customer_id]
    assert match(CUSTOMER, "花子") == [desk["login"].customer_id]
    assert match(CUSTOMER, "john smith") == [desk["refund"].customer_id]


@pytest.mark.parametrize("query", ["refund", "Refund", "REFUND", "refun", "Ref", "refund order"])
def test_english_is_case_insensitive_and_last_word_is_a_prefix(desk, query):
    assert match(TICKET, query) == [desk["refund"].pk]


def test_all_words_must_match(desk):
    assert match(TICKET, "refund 引越し") == []
    assert match(TICKET, "住所 Ｔシャツ") == []
    assert match(TICKET, "返品") == []


def test_updates_follow_the_ticket(desk, agent):
    from madoguchi.tickets.actions import do_reply, do_update_ticket

    ticket = desk["refund"]
    do_update_ticket(agent, ticket.pk, {"subject": "返金のご依頼"})
    assert match(TICKET, "返金") == [ticket.pk]
    do_reply(agent, ticket.pk, "配送業者に確認します。", internal=True)
    assert match(TICKET, "配送業者") == [ticket.pk]


NASTY = [
    '"',
    '""',
    '"引越し',
    "'",
    "*",
    "**",
    "引越し*",
    ":",
    "subject:引越し",
    "&",
    "|",
    "!",
    "!引越し",
    "(",
    ")",
    "(引越し",
    "\\",
    "\\'",
    "NEAR",
    "NEAR(a b)",
    "AND",
    "OR",
    "NOT",
    "a AND",
    "OR b",
    "refund NOT",
    "^",
    "-",
    "+",
    "--",
    "<->",
    "a <-> b",
    "a & b | !c",
    "'a':*",
    "{}[]",
    "%",
    "_",
    "\x00",
    "🙂",
    "ｱｲｳｴｵ" * 100,
    "引越し " * 200,
    "0" * 40,
    "+",
    "#",
    "##",
    "　",
]


def test_special_characters_never_raise(desk):
    known = set(SearchDocument.objects.values_list("object_id", flat=True))
    for query in NASTY:
        for kind in (TICKET, CUSTOMER):
            result = match(kind, query)
            assert isinstance(result, list) and set(result) <= known, query


def test_syntax_words_are_just_words(inboxes):
    made = receive(inboxes["api"], subject="NEAR AND OR NOT", body_text="near and or not")
    assert match(TICKET, "NEAR") == [made.ticket_id]
    assert match(TICKET, "and or") == [made.ticket_id]
    assert match(TICKET, '"NOT"') == [made.ticket_id]


def test_ticket_list_search_never_fails(desk, agent):
    for query in NASTY:
        page = ticket_page(agent, TicketFilter(q=query))
        assert isinstance(page.items, list), query
    page = ticket_page(agent, TicketFilter(q="Ｔシャツ"))
    assert [t.pk for t in page.items] == [desk["shirt"].pk]


@pytest.mark.parametrize("query", ["", "   ", "\n", "*", '"', "の", "、。"])
def test_empty_queries_find_nothing(desk, query):
    assert match(TICKET, query) == []
    assert match(CUSTOMER, query) == []


def test_query_groups_are_words_only():
    for query in NASTY:
        for group in query_groups(query):
            for form in group:
                assert form and all(ch.isalnum() or ch == " " for ch in form), (query, form)
    assert query_terms("引越しのご相談") == ["引っ越し", "御", "相談"]
    assert query_groups("login") == [["login", "ログイン"]]
    assert query_groups("090-1234-5678") == [["09012345678"]]


@pytest.mark.parametrize(
    "query", ["10,000円", "10000", "１０，０００円", "e-mail", "email", "Eメール"]
)
def test_numbers_and_hyphenated_words(inboxes, query):
    made = receive(
        inboxes["api"], subject="請求", body_text="合計10,000円でした。e-mailで連絡します。"
    )
    assert match(TICKET, query) == [made.ticket_id]


def test_tickets_come_newest_first_customers_best_first(inboxes):
    made = [receive(inboxes["form"], body_text=f"配送について{i}") for i in range(3)]
    assert match(TICKET, "配送") == sorted((m.ticket_id for m in made), reverse=True)
    strong = receive(
        inboxes["api"], sender=SenderHandle("email", "x@example.jp"), sender_name="森 森"
    )
    weak = receive(
        inboxes["api"], sender=SenderHandle("email", "y@example.jp"), sender_name="森 太"
    )
    assert set(match(CUSTOMER, "森")) == {strong.customer_id, weak.customer_id}


def test_search_leaves_the_session_settings_alone(desk):
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        assert match(TICKET, "引越し") == [desk["move"].pk]
        if connection.vendor == "postgresql":
            cur.execute("SHOW enable_seqscan")
            assert cur.fetchone()[0] == "on"
