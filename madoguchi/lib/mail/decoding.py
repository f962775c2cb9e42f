"""Bytes and headers of real-world mail to text, without losing a character.

Labels lie (Shift_JIS sent as "iso-2022-jp", UTF-8 sent as "us-ascii", no label at all), and
Japanese mailers use the Windows variants of every Japanese charset. The cheap, exact paths
(the declared codec, UTF-8, CP932, EUC-JP, ISO-2022-JP by its escape sequences) are tried
strictly first; charset-normalizer only when all of them fail.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from email.message import Message
from urllib.parse import unquote_to_bytes

from madoguchi.lib.mail.jis import _jis0208_table, decode_cp50220

CP50220 = "cp50220"
EUCJP = "eucjp-ms"  # CP51932-compatible: NEC row 13 and the IBM rows survive

_ALIAS_GROUPS = {
    CP50220: "iso-2022-jp iso2022jp iso-2022-jp-1 iso-2022-jp-2 iso-2022-jp-3 iso-2022-jp-2004 "
    "iso-2022-jp-ms iso-2022-jp-ext csiso2022jp jis cp50220 cp50221 cp50222 x-iso2022jp "
    "iso2022_jp iso2022_jp_ext",
    "cp932": "shift_jis shift-jis sjis x-sjis s-jis ms_kanji csshiftjis windows-31j cp932 ms932 "
    "x-ms-cp932 ibm-943 shift_jis_2004 shift_jisx0213 x-mac-japanese",
    EUCJP: "euc-jp eucjp x-euc-jp euc_jp cp51932 eucjp-ms euc-jis-2004 euc-jisx0213 "
    "cseucpkdfmtjapanese ujis",
    "cp949": "ks_c_5601-1987 ks_c_5601 ksc5601 euc-kr x-windows-949",
    "gb18030": "gb2312 gbk x-gbk cp936 euc-cn gb_2312-80",
    "big5hkscs": "big5 x-big5 big5-hkscs cn-big5",
    "utf-7": "utf-7 unicode-1-1-utf-7 x-unicode-2-0-utf-7 utf7",
    "utf-8": "utf8 utf-8 x-utf-8 unicode-1-1-utf-8",
    "cp874": "tis-620 windows-874 iso-8859-11",
    # Mail labelled Latin-1 is really Windows-1252 (Outlook's curly quotes, €).
    "cp1252": "iso-8859-1 latin1 latin-1 l1 iso_8859-1 cp819",
    "": "unknown unknown-8bit x-unknown default charset 8bit x-user-defined",
}
_ALIASES = {label: codec for codec, labels in _ALIAS_GROUPS.items() for label in labels.split()}
_ALIASES[""] = ""
_ASCII_LABELS = {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "cp367", "7bit"}
_LATIN = {"cp1252", "iso8859-15", "cp1250", "iso8859-2"}


def codec_for(label: str | None) -> str:
    """The codec name to decode a declared charset label with; "" when it means nothing."""
    name = (label or "").strip().strip("\"'").lower()
    name = name.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*ja
    if name in _ALIASES:
        return _ALIASES[name]
    if name in _ASCII_LABELS:
        return "ascii"
    if not name.isascii():
        return ""
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return ""


def _decode_eucjp(data: bytes) -> str | None:
    """EUC-JP as CP51932/eucJP-ms: JIS X 0208 cells through the CP932 table; None if invalid."""
    table = _jis0208_table()
    out: list[str] = []
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            j = i
            while j < n and data[j] < 0x80:
                j += 1
            out.append(data[i:j].decode("ascii"))
            i = j
        elif b == 0x8E and i + 1 < n and 0xA1 <= data[i + 1] <= 0xDF:
            out.append(chr(0xFF61 + data[i + 1] - 0xA1))
            i += 2
        elif b == 0x8F and i + 2 < n:
            try:
                out.append(data[i : i + 3].decode("euc_jis_2004"))
            except UnicodeDecodeError:
                return None
            i += 3
        elif 0xA1 <= b <= 0xFE and i + 1 < n and 0xA1 <= data[i + 1] <= 0xFE:
            ch = table[(b - 0xA1) * 94 + (data[i + 1] - 0xA1)]
            if not ch:
                try:
                    ch = data[i : i + 2].decode("euc_jis_2004")
                except UnicodeDecodeError:
                    return None
            out.append(ch)
            i += 2
        else:
            return None
    return "".join(out)


def _strict(data: bytes, codec: str) -> str | None:
    """`data` decoded exactly with `codec`, or None when it is not valid in it."""
    if codec == CP50220:
        text = decode_cp50220(data)
        return None if "\ufffd" in text else text
    if codec == EUCJP:
        return _decode_eucjp(data)
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    return None if "\ufffd" in text else text


_HIGH_PAIR = re.compile(rb"[\x80-\xff]{2}")
_JP_ESCAPE = re.compile(rb"\x1b(?:\$[@B]|\(I|\$\([DOPQ])")


def _japanese_counts(text: str) -> tuple[int, int]:
    """(full-width kana and kanji, half-width kana and private-use) characters in `text`.

    Japanese read with the wrong one of CP932 / EUC-JP comes out as half-width katakana
    and private-use code points; the right one gives mostly full-width characters.
    """
    good = bad = 0
    for ch in text:
        if ch < "\u3040":
            continue
        if ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff":
            good += 1
        elif "\uff61" <= ch <= "\uff9f" or "\ue000" <= ch <= "\uf8ff":
            bad += 1
    return good, bad


def _japanese_score(text: str) -> int:
    good, bad = _japanese_counts(text)
    return good - bad


def _guess(data: bytes) -> tuple[str, str] | None:
    """(text, codec) for unlabelled or mislabelled 8-bit data, cheapest exact paths first."""
    if _JP_ESCAPE.search(data):
        # JIS escapes are unmistakable: no other codec would read them as text.
        return decode_cp50220(data), CP50220
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    candidates = [(t, c) for c in ("cp932", EUCJP) if (t := _strict(data, c)) is not None]
    best = max(candidates, key=lambda tc: _japanese_score(tc[0])) if candidates else None
    if best is not None:
        good, bad = _japanese_counts(best[0])
        if good and good >= bad:
            return best
    if not _HIGH_PAIR.search(data):
        # Only isolated 8-bit bytes and no kana or kanji from them ("VIAGRA \xae" would be
        # "ｮ" in CP932): Latin text.
        text = _strict(data, "cp1252")
        if text is not None:
            return text, "cp1252"
    return _normalizer(data) or best


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a cut-off character, one stray Latin byte), or None."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return text if good >= 4 * bad else None


def _normalizer(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is None:
        return None
    codec = codec_for(best.encoding) or best.encoding
    if codec.startswith(("utf_16", "utf_32", "utf-16", "utf-32")) and b"\x00" not in data:
        return None  # a guess, not an encoding: real UTF-16 text is full of NUL bytes
    text = _strict(data, codec)
    return (text, codec) if text is not None else None


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, list[str]]:
    """Text of `data` declared as `declared`, and the repairs made (empty when the label held)."""
    if not data:
        return "", []
    label = (declared or "").strip().lower()
    codec = codec_for(declared)
    defects: list[str] = []
    if label and not codec and label not in _ASCII_LABELS:
        defects.append(f"unknown charset {label!r}")
    if data.isascii():
        if codec == "utf-7" and b"+" in data:
            text = _strict(data, "utf-7")
            if text is not None:
                return text, defects
        if _JP_ESCAPE.search(data):
            text = decode_cp50220(data)
            if codec != CP50220:
                defects.append(f"charset {label or 'missing'}: ISO-2022-JP by its escapes")
            if "\ufffd" in text:
                defects.append("undecodable JIS characters replaced")
            return text, defects
        elif codec not in ("utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            return data.decode("ascii"), defects
    if codec and codec != "ascii":
        if codec in _LATIN:
            # A Latin label on valid multibyte UTF-8 is a lie: real Latin text is never that.
            text = _strict(data, "utf-8")
            if text is not None:
                defects.append(f"charset {label}: was UTF-8")
                return text, defects
        text = _strict(data, codec)
        if text is not None:
            return text, defects
    found = _guess(data)
    if found is not None:
        text, used = found
        defects.append(f"charset {label or 'missing'}: decoded as {used}")
        return text, defects
    mostly = _mostly_utf8(data)
    if mostly is not None:
        defects.append(f"charset {label or 'missing'}: UTF-8 with broken bytes replaced")
        return mostly, defects
    fallback = codec if codec and codec not in (CP50220, EUCJP) else "utf-8"
    if codec == CP50220:
        text = decode_cp50220(data)
    else:
        text = data.decode(fallback, "replace")
    defects.append(f"charset {label or 'missing'}: undecodable bytes replaced")
    return text, defects


# --- headers -------------------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*?)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])|\r?\n\Z")
_SURROGATES = re.compile("[\udc80-\udcff]")


def _word_bytes(kind: str, payload: str) -> bytes:
    if kind in "bB":
        cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        if len(cleaned) % 4 == 1:  # a dangling sixth of a byte: drop it
            cleaned = cleaned[:-1]
        try:
            return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
        except (binascii.Error, ValueError):
            return b""
    raw = payload.replace("_", " ").encode("utf-8", "surrogateescape")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes((int(m.group(1), 16),)), raw)


def _plain(segment: str) -> str:
    """A header segment that is not an encoded word: raw 8-bit or raw JIS bytes decoded."""
    if _SURROGATES.search(segment) or "\x1b" in segment:
        return decode_bytes(segment.encode("utf-8", "surrogateescape"), None)[0]
    return segment


def decode_header_value(raw: str) -> str:
    """A raw header value as text: RFC 2047 words (split, folded, mixed), raw 8-bit, raw JIS.

    Adjacent encoded words in one charset are joined as bytes before decoding, so a
    character split between two words (common with ISO-2022-JP and UTF-8) survives.
    """
    if not raw:
        return ""
    value = _FOLD.sub("", raw)
    if "=?" not in value:
        return _plain(value)
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    last = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset)[0])
        pending, pending_charset = [], ""

    for m in _ENCODED_WORD.finditer(value):
        between = value[last : m.start()]
        charset = m.group(1).split("*", 1)[0].lower()
        if pending and not between.strip():
            # Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
            if charset != pending_charset:
                flush()
        else:
            flush()
            out.append(_plain(between))
        pending.append(_word_bytes(m.group(2), m.group(3)))
        pending_charset = charset
        last = m.end()
    flush()
    out.append(_plain(value[last:]))
    return "".join(out)


# --- attachment names ----------------------------------------------------------------------

_PARAM = re.compile(
    r"""\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)""", re.S
)  # fmt: skip


def header_params(raw: str) -> dict[str, str]:
    """Parameters of a raw Content-Type / Content-Disposition value, names lower-cased.

    Backslashes stay literal in 8-bit values: the second byte of a Shift_JIS character
    may be 0x5C, and treating it as an escape would destroy the name.
    """
    value = _FOLD.sub("", raw or "")
    eight_bit = bool(_SURROGATES.search(value))
    params: dict[str, str] = {}
    rest = value.split(";", 1)[1] if ";" in value else ""
    for m in _PARAM.finditer(rest):
        name, val = m.group(1).lower(), m.group(2).strip()
        if val.startswith('"'):
            val = val[1:-1] if val.endswith('"') and len(val) > 1 else val[1:]
            if not eight_bit:
                val = re.sub(r"\\(.)", r"\1", val)
        params.setdefault(name, val)
    return params


def _rfc2231(params: dict[str, str], key: str) -> str | None:
    """The RFC 2231 value of `key` (key*, key*0*, key*0 …) decoded, or None."""
    if f"{key}*" in params:
        return _extended([(params[f"{key}*"], True)])
    segments: list[tuple[str, bool]] = []
    n = 0
    while True:
        if f"{key}*{n}*" in params:
            segments.append((params[f"{key}*{n}*"], True))
        elif f"{key}*{n}" in params:
            segments.append((params[f"{key}*{n}"], False))
        else:
            break
        n += 1
    return _extended(segments) if segments else None


def _extended(segments: list[tuple[str, bool]]) -> str:
    charset = ""
    data = b""
    for index, (val, encoded) in enumerate(segments):
        if encoded:
            if index == 0 and val.count("'") >= 2:
                charset, _lang, val = val.split("'", 2)
            data += unquote_to_bytes(val.encode("utf-8", "surrogateescape"))
        else:
            data += val.encode("utf-8", "surrogateescape")
    text = decode_bytes(data, charset or None)[0]
    return decode_header_value(text) if "=?" in text else text


def _raw_header(part: Message, name: str) -> str:
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def filename_from_part(part: Message) -> str:
    """The decoded file name of a MIME part, or "" when it has none (path parts removed)."""
    for header, key in (("content-disposition", "filename"), ("content-type", "name")):
        params = header_params(_raw_header(part, header))
        name = _rfc2231(params, key)
        if name is None and key in params:
            name = decode_header_value(params[key])
        if name:
            name = re.sub(r"[\x00-\x1f\x7f]", "", name).replace("\\", "/").rsplit("/", 1)[-1]
            name = name.strip()
            if name not in ("", ".", ".."):
                return name
    return ""
