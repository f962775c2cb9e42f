"""Charset labels that lie, encoded words split anywhere, Japanese attachment names."""

from __future__ import annotations

import base64
import json
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from madoguchi.lib.mail.decoding import (
    codec_for,
    decode_bytes,
    decode_header_value,
    filename_from_part,
    header_params,
)
from madoguchi.lib.mail.jis import encode_cp50220

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "email"
VECTORS = json.loads((FIXTURES / "encoded-words" / "encoded_word_vectors_ja.json").read_text())[
    "vectors"
]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["encoded"][:40])
def test_encoded_word_vectors(vector: dict) -> None:
    expected = vector.get("expected_decoded") or vector["decoded"]
    assert decode_header_value(vector["encoded"]) == expected


def test_all_vector_groups_present() -> None:
    charsets = {v.get("charset") for v in VECTORS}
    assert {"UTF-8", "ISO-2022-JP", "EUC-JP", "SHIFT_JIS"} <= charsets


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-2022-JP", "cp50220"),
        ("iso-2022-jp-ms", "cp50220"),
        ("Shift_JIS", "cp932"),
        ("x-sjis", "cp932"),
        ("Windows-31J", "cp932"),
        ("EUC-JP", "eucjp-ms"),
        ("ks_c_5601-1987", "cp949"),
        ("utf-7", "utf-7"),
        ('"UTF-8"', "utf-8"),
        ("utf-8*ja", "utf-8"),
        ("x-no-such-charset", ""),
        (None, ""),
    ],
)
def test_codec_for(label: str | None, codec: str) -> None:
    assert codec_for(label) == codec


def test_declared_charsets_decode_windows_characters() -> None:
    text = "①㈱髙～Ⅰ№﨑 お問い合わせ"
    assert decode_bytes(text.encode("cp932"), "shift_jis") == (text, [])
    assert decode_bytes(text.encode("utf-8"), "utf-8") == (text, [])


def test_euc_jp_keeps_nec_row_13() -> None:
    # CP51932: ① is EUC 0xADA1 (JIS row 13), which Python's euc_jp rejects.
    data = "テスト".encode("euc_jp") + b"\xad\xa1"
    assert decode_bytes(data, "euc-jp") == ("テスト①", [])


def test_shift_jis_labelled_as_iso_2022_jp() -> None:
    text, defects = decode_bytes("ご注文の件①".encode("cp932"), "iso-2022-jp")
    assert text == "ご注文の件①"
    assert defects == ["charset iso-2022-jp: decoded as cp932"]


def test_jis_without_label_is_found_by_its_escapes() -> None:
    text, defects = decode_bytes(b"\x1b$B%F%9%H-!\x1b(B", None)
    assert text == "テスト①"
    assert defects  # the repair is noted


def test_utf8_labelled_latin1_and_ascii() -> None:
    assert decode_bytes("返品について".encode(), "iso-8859-1")[0] == "返品について"
    assert decode_bytes("返品について".encode(), "us-ascii")[0] == "返品について"


def test_missing_label_cp932_vs_euc_jp() -> None:
    sentence = "お世話になっております。商品が届きません。"
    assert decode_bytes(sentence.encode("cp932"), None)[0] == sentence
    assert decode_bytes(sentence.encode("euc_jp"), None)[0] == sentence


def test_unknown_label_is_noted_and_detected() -> None:
    text, defects = decode_bytes("こんにちは".encode(), "x-bogus")
    assert text == "こんにちは"
    assert any("x-bogus" in d for d in defects)


def test_utf7_and_korean() -> None:
    assert decode_bytes("日本".encode("utf-7"), "utf-7")[0] == "日本"
    assert decode_bytes("스티해".encode("cp949"), "ks_c_5601-1987")[0] == "스티해"


def test_latin1_text_stays_latin() -> None:
    assert decode_bytes("café – 5 €".encode("cp1252"), "iso-8859-1")[0] == "café – 5 €"


def test_undecodable_bytes_are_replaced_and_noted() -> None:
    text, defects = decode_bytes(b"ok \xff\xfe\xfd\x80", "utf-8")
    assert text.startswith("ok ")
    assert defects


def test_ascii_fast_path() -> None:
    assert decode_bytes(b"plain text", "iso-2022-jp") == ("plain text", [])
    assert decode_bytes(b"", "utf-8") == ("", [])


def _split_b_words(text: str, charset: str, codec: str, cut: int) -> str:
    data = text.encode(codec)
    a, b = base64.b64encode(data[:cut]).decode(), base64.b64encode(data[cut:]).decode()
    return f"=?{charset}?B?{a}?=\r\n =?{charset}?B?{b}?="


def test_multibyte_character_split_between_words() -> None:
    # ① is 3 UTF-8 bytes; cut it after the first byte.
    assert decode_header_value(_split_b_words("①のご注文", "UTF-8", "utf-8", 1)) == "①のご注文"
    # Shift_JIS: cut between lead and trail byte.
    assert decode_header_value(_split_b_words("㈱窓口", "Shift_JIS", "cp932", 1)) == "㈱窓口"


def test_iso_2022_jp_word_with_nec_character() -> None:
    assert decode_header_value("=?iso-2022-jp?B?GyRCJUYlOSVILSEbKEI=?=") == "テスト①"


def test_mixed_charsets_and_text_between() -> None:
    jis = base64.b64encode(encode_cp50220("【至急】①")).decode()
    value = f"Re: =?UTF-8?B?44GK5ZWP44GE5ZCI44KP44Gb?=\r\n =?ISO-2022-JP?B?{jis}?= [#10234]"
    assert decode_header_value(value) == "Re: お問い合わせ【至急】① [#10234]"


def test_space_between_word_and_text_is_kept() -> None:
    assert decode_header_value("=?UTF-8?B?5bGx55Sw?= Taro") == "山田 Taro"
    assert decode_header_value("Taro =?UTF-8?B?5bGx55Sw?=") == "Taro 山田"


def test_q_encoding_and_underscores() -> None:
    assert decode_header_value("=?utf-8?Q?=E5=B1=B1=E7=94=B0_Taro?=") == "山田 Taro"


def test_raw_8bit_headers() -> None:
    for codec in ("utf-8", "cp932"):
        raw = "件名①テスト".encode(codec).decode("ascii", "surrogateescape")
        assert decode_header_value(raw) == "件名①テスト"


def test_raw_jis_header() -> None:
    assert decode_header_value("\x1b$B%F%9%H\x1b(B 1") == "テスト 1"


def test_bad_base64_padding_tolerated() -> None:
    assert decode_header_value("=?UTF-8?B?44GC?=") == "あ"
    assert decode_header_value("=?UTF-8?B?44GC44GE?=") == "あい"
    assert decode_header_value("=?UTF-8?B?44GC44GE=?=") == "あい"


def test_header_params_keep_shift_jis_backslash() -> None:
    # ソ is 0x83 0x5C in Shift_JIS: the 0x5C must not be read as an escape.
    raw = (
        'attachment; filename="'
        + "ソフト.txt".encode("cp932").decode("ascii", "surrogateescape")
        + '"'
    )
    value = header_params(raw)["filename"]
    assert decode_header_value(value) == "ソフト.txt"


def _part(headers: str) -> EmailMessage:
    raw = (headers + "\r\n\r\ndata\r\n").encode("ascii", "surrogateescape")
    return BytesParser(_class=EmailMessage, policy=policy.default).parsebytes(raw)


def test_filename_rfc2231() -> None:
    part = _part(
        "Content-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf"
    )
    assert filename_from_part(part) == "見積書.pdf"


def test_filename_rfc2231_continuations_iso_2022_jp() -> None:
    jis = "".join(f"%{b:02X}" for b in encode_cp50220("請求書①.pdf"))
    half = len(jis) // 2
    half -= half % 3
    part = _part(
        "Content-Type: application/pdf\r\n"
        f"Content-Disposition: attachment;\r\n filename*0*=iso-2022-jp'ja'{jis[:half]};\r\n"
        f" filename*1*={jis[half:]}"
    )
    assert filename_from_part(part) == "請求書①.pdf"


def test_filename_encoded_word_in_quotes_and_name_param() -> None:
    part = _part('Content-Type: application/pdf; name="=?ISO-2022-JP?B?GyRCJUYlOSVILSEbKEI=?=.pdf"')
    assert filename_from_part(part) == "テスト①.pdf"


def test_filename_raw_8bit_and_path_stripped() -> None:
    name = "C:\\Users\\山田\\注文書.xlsx".encode("cp932").decode("ascii", "surrogateescape")
    part = _part(
        "Content-Type: application/octet-stream\r\n"
        f'Content-Disposition: attachment; filename="{name}"'
    )
    assert filename_from_part(part) == "注文書.xlsx"


def test_filename_missing() -> None:
    assert filename_from_part(_part("Content-Type: application/pdf")) == ""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("半角ｶﾀｶﾅだけ".encode("cp932"), "半角ｶﾀｶﾅだけ"),
        ("山田".encode("cp932"), "山田"),  # trail bytes in ASCII range
        (b"VIAGRA \xae Official", "VIAGRA ® Official"),  # an isolated Latin byte
        ("Здравствуйте, я хотел бы вернуть заказ".encode("cp1251"), None),
    ],
)
def test_unlabelled_detection(data: bytes, expected: str | None) -> None:
    text, defects = decode_bytes(data, None)
    if expected is None:  # charset-normalizer's turn: readable Cyrillic
        assert text.startswith("Здравствуйте")
    else:
        assert text == expected
    assert defects


def test_mostly_utf8_with_a_broken_byte() -> None:
    text, defects = decode_bytes("Юникод запрещен".encode() + b"\xf1", None)
    assert text.startswith("Юникод запрещен")
    assert defects
