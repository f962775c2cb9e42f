"""Handles and Japanese text helpers (no database)."""

from __future__ import annotations

import pytest

from madoguchi.lib import handles, japanese
from madoguchi.lib.html import html_to_text, sanitise, text_to_html


@pytest.mark.parametrize(
    "typed",
    [
        "090-1234-5678",
        "09012345678",
        "+81 90 1234 5678",
        "+81-90-1234-5678",
        "０９０−１２３４−５６７８",
        "０９０－１２３４－５６７８",
        "090ー1234ー5678",
        "(090) 1234 5678",
        "090.1234.5678",
    ],
)
def test_phone_forms_normalise_to_one_number(typed):
    assert handles.normalise_phone(typed) == "+819012345678"
    assert handles.looks_like_phone(typed)


@pytest.mark.parametrize("typed", ["", "abc", "12", "090-1234-5678 内線2", "0120-ABC-DEF", "+"])
def test_not_phone_numbers(typed):
    with pytest.raises(handles.InvalidHandle):
        handles.normalise_phone(typed)


def test_phone_search_forms_and_display():
    assert handles.phone_search_forms("+819012345678") == [
        "+819012345678",
        "09012345678",
        "819012345678",
    ]
    assert handles.format_phone("+819012345678") == "090-1234-5678"
    assert handles.format_phone("+14155550100") == "+1 415-555-0100"


def test_phones_in_text():
    text = "注文番号 12345、2024-01-15 注文。連絡先は090-1234-5678、会社は03(1234)5678 です。"
    assert handles.phones_in_text(text) == ["+819012345678", "+81312345678"]
    assert handles.phones_in_text("合計 10,000円、在庫 3 個") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Taro@Example.JP", "taro@example.jp"),
        (" ＴＡＲＯ＠ＥＸＡＭＰＬＥ.ＪＰ ", "taro@example.jp"),
        ("taro.yamada+shop@example.co.jp", "taro.yamada+shop@example.co.jp"),
    ],
)
def test_emails_are_lower_cased(typed, expected):
    assert handles.normalise_email(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "taro", "taro@", "@example.jp", "a b@example.jp", "a@b@c.jp"]
)
def test_not_emails(typed):
    with pytest.raises(handles.InvalidHandle):
        handles.normalise_email(typed)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("引越し", "引っ越し"),
        ("ﾛｸﾞｲﾝ", "ログイン"),
        ("Ｔシャツ", "Tシャツ"),
        ("ＲＥＦＵＮＤ", "refund"),
    ],
)
def test_spelling_variants_share_tokens(a, b):
    assert japanese.tokens(a) == japanese.tokens(b)


def test_tokens_split_compounds_drop_particles_and_symbols():
    assert japanese.tokens("住所変更をお願いします！") == ["住所", "変更", "御", "願う", "為る"]
    assert japanese.tokens('"*:&|!()\\') == []
    assert japanese.word_forms("login") == [["login", "ログイン"]]


def test_long_text_is_tokenised_in_chunks():
    text = "配送状況を確認してください。" * 2000  # longer than Sudachi's input limit
    assert japanese.tokens(text).count("配送") == 2000


def test_html_helpers_never_pass_script():
    assert sanitise('<img src=x onerror="alert(1)"><b>太字</b>') == '<img src="x"><b>太字</b>'
    assert text_to_html("<script>\n\n二段落") == "<p>&lt;script&gt;</p><p>二段落</p>"
    assert html_to_text("<p>一行目<br>二行目</p><script>x</script>") == "一行目\n二行目"
