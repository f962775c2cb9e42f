"""CP50220 decoding and encoding: the Windows characters Python's iso2022_jp loses."""

from __future__ import annotations

import pytest

from madoguchi.lib.mail.jis import decode_cp50220, encode_cp50220, jis_to_sjis, sjis_to_jis

WINDOWS_CHARS = "①㈱髙～Ⅰ№﨑ⅰ∵≒￢∑"


def test_stdlib_codec_loses_what_we_keep() -> None:
    encoded = encode_cp50220("①㈱")
    assert encoded.decode("iso2022_jp", "replace") != "①㈱"
    assert decode_cp50220(encoded) == "①㈱"


@pytest.mark.parametrize("char", list(WINDOWS_CHARS))
def test_round_trip_windows_characters(char: str) -> None:
    encoded = encode_cp50220(char)
    assert encoded.startswith(b"\x1b$B") and encoded.endswith(b"\x1b(B")
    assert encoded.isascii()  # 7-bit: safe for any mail server
    assert decode_cp50220(encoded) == char


def test_round_trip_mixed_text() -> None:
    text = "お問い合わせ①について、㈱髙島屋の﨑です。No.5 と №5、Ⅰ～Ⅲ。\r\nよろしく"
    assert decode_cp50220(encode_cp50220(text)) == text


def test_known_bytes() -> None:
    # テスト① as iPhone Mail sends it (jpmobile iphone-circled-numbers-in-jis.eml subject)
    assert decode_cp50220(b"\x1b$B%F%9%H-!\x1b(B") == "テスト①"
    assert encode_cp50220("テスト①") == b"\x1b$B%F%9%H-!\x1b(B"
    # IBM extension 髙 goes out in the NEC-selected row (0x7B), reachable in 7-bit JIS.
    assert encode_cp50220("髙") == b"\x1b$B|b\x1b(B"
    # ￢ keeps its JIS X 0208 code (0x224C), not the NEC-selected duplicate.
    assert encode_cp50220("￢") == b'\x1b$B"L\x1b(B'


def test_wave_dash_is_the_windows_one() -> None:
    # JIS 0x2141 is U+FF5E in CP932 (what Windows users typed), not U+301C.
    assert decode_cp50220(b"\x1b$B!A\x1b(B") == "～"


def test_half_width_katakana_escape_and_shift_out() -> None:
    assert decode_cp50220(b"\x1b(I12\x1b(Babc") == "ｱｲabc"
    assert decode_cp50220(b"x\x0e123\x0fy") == "xｱｲｳy"  # SO/SI (CP50221)
    assert decode_cp50220(b"\xb1\xb2") == "ｱｲ"  # 8-bit JIS (CP50222 style)


def test_jis_roman_and_jis_1978_escapes() -> None:
    assert decode_cp50220(b"\x1b(Jabc\x1b$@F|K\\\x1b(B") == "abc日本"


def test_jis_x_0212_and_0213() -> None:
    # 丂 is in JIS X 0212 only; 𠀋 is JIS X 0213 plane 1 (ISO-2022-JP-2004).
    assert decode_cp50220(b"\x1b$(D" + bytes(b & 0x7F for b in "丂".encode("euc_jp")[1:])) == "丂"
    euc = "𠀋".encode("euc_jis_2004")
    assert decode_cp50220(b"\x1b$(Q" + bytes(b & 0x7F for b in euc) + b"\x1b(B") == "𠀋"


def test_encode_makes_half_width_kana_full_width() -> None:
    assert decode_cp50220(encode_cp50220("ｶﾞｷﾞｬﾝﾊﾟｰ")) == "ガギャンパー"
    assert decode_cp50220(encode_cp50220("ﾞ")) == "゛"


@pytest.mark.parametrize("text", ["😀", "한국어", "\ue000"])
def test_encode_refuses_characters_outside_cp932(text: str) -> None:
    with pytest.raises(UnicodeEncodeError):
        encode_cp50220("前" + text)


def test_carrier_emoji_rows_kept_as_private_use() -> None:
    # au sends its emoji in JIS rows 85+; they must not become U+FFFD.
    out = decode_cp50220(b"\x1b$Bu:\x1b(B")
    assert "\ufffd" not in out and "\ue000" <= out <= "\uf8ff"


def test_broken_input_is_replaced_not_dropped() -> None:
    assert decode_cp50220(b"\x1b$B%F%\x1b(Bok") == "テ\ufffdok"
    assert decode_cp50220(b"") == ""


def test_sjis_conversion_inverts() -> None:
    for j1 in range(0x21, 0x7F):
        for j2 in (0x21, 0x5F, 0x60, 0x7E):
            s = jis_to_sjis(j1, j2)
            assert sjis_to_jis(s[0], s[1]) == (j1, j2)
