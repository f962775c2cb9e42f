"""ISO-2022-JP as Windows writes it (CP50220/50221/50222), decoded and encoded without loss.

Python's `iso2022_jp` codecs only know plain JIS X 0208, so the NEC row-13 characters (①, Ⅰ,
㈱, №, ∵) and the NEC-selected IBM extensions (髙, 﨑, ⅰ) that every Japanese Windows and
iPhone mailer sends come out as U+FFFD. Here every JIS X 0208 pair is mapped through
Shift_JIS to the CP932 table instead, which is what Windows itself does.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ESC = 0x1B
_SO = 0x0E
_SI = 0x0F
_REPLACEMENT = "\ufffd"

# Graphic sets an escape sequence can switch to.
_ASCII, _KANA, _JIS0208, _JIS0212, _JIS0213_1, _JIS0213_2, _GB2312, _KSC5601 = range(8)
_ESCAPES: dict[bytes, int] = {
    b"(B": _ASCII,
    b"(J": _ASCII,  # JIS X 0201 Roman: mail clients mean ASCII by it
    b"(H": _ASCII,
    b"(I": _KANA,
    b"$@": _JIS0208,
    b"$B": _JIS0208,
    b"$(B": _JIS0208,
    b"$(D": _JIS0212,
    b"$(O": _JIS0213_1,
    b"$(Q": _JIS0213_1,
    b"$(P": _JIS0213_2,
    b"$A": _GB2312,
    b"$(C": _KSC5601,
}
_DOUBLE_BYTE = {_JIS0208, _JIS0212, _JIS0213_1, _JIS0213_2, _GB2312, _KSC5601}


def jis_to_sjis(j1: int, j2: int) -> bytes:
    """One JIS X 0208 code point (row/cell bytes 0x21–0x7E) as its Shift_JIS bytes."""
    s1 = ((j1 - 0x21) >> 1) + 0x81
    if s1 > 0x9F:
        s1 += 0x40
    if j1 & 1:
        s2 = j2 + 0x1F
        if s2 >= 0x7F:
            s2 += 1
    else:
        s2 = j2 + 0x7E
    return bytes((s1, s2))


def sjis_to_jis(s1: int, s2: int) -> tuple[int, int]:
    """The reverse of `jis_to_sjis` (for lead bytes 0x81–0x9F and 0xE0–0xEF)."""
    if s1 >= 0xE0:
        s1 -= 0x40
    j1 = (s1 - 0x81) * 2 + 0x21
    if s2 >= 0x9F:
        return j1 + 1, s2 - 0x7E
    return j1, s2 - (0x20 if s2 >= 0x80 else 0x1F)


@lru_cache(maxsize=1)
def _jis0208_table() -> tuple[str, ...]:
    """All 94×94 JIS X 0208 cells decoded through CP932 ("" where CP932 has nothing)."""
    cells = []
    for j1 in range(0x21, 0x7F):
        for j2 in range(0x21, 0x7F):
            try:
                cells.append(jis_to_sjis(j1, j2).decode("cp932"))
            except UnicodeDecodeError:
                # Rows 85–94 outside CP932's IBM rows hold user-defined characters (carrier
                # emoji from au/docomo): keep them as private-use code points, not U+FFFD.
                user = j1 >= 0x75
                cells.append(chr(0xE000 + (j1 - 0x75) * 94 + (j2 - 0x21)) if user else "")
    return tuple(cells)


def _decode_pairs(chunk: bytes, charset: int) -> str:
    """Decode a run of double-byte cells; control bytes (CR, LF, space) pass through."""
    table = _jis0208_table() if charset == _JIS0208 else None
    out: list[str] = []
    i, n = 0, len(chunk)
    while i < n:
        b = chunk[i]
        if b <= 0x20 or b == 0x7F:
            out.append(chr(b))
            i += 1
            continue
        if b >= 0x80:  # stray 8-bit byte in a 7-bit stream
            out.append(_decode_8bit(chunk[i : i + 1]))
            i += 1
            continue
        if i + 1 >= n or not 0x21 <= chunk[i + 1] <= 0x7E:
            out.append(_REPLACEMENT)
            i += 1
            continue
        j1, j2 = b, chunk[i + 1]
        i += 2
        if table is not None:
            out.append(table[(j1 - 0x21) * 94 + (j2 - 0x21)] or _REPLACEMENT)
        else:
            out.append(_decode_other_set(charset, j1, j2))
    return "".join(out)


def _decode_other_set(charset: int, j1: int, j2: int) -> str:
    """JIS X 0212/0213, GB 2312 and KS C 5601 cells through their EUC forms."""
    pair = bytes((j1 | 0x80, j2 | 0x80))
    codec, data = {
        _JIS0212: ("euc_jp", b"\x8f" + pair),
        _JIS0213_1: ("euc_jis_2004", pair),
        _JIS0213_2: ("euc_jis_2004", b"\x8f" + pair),
        _GB2312: ("gb2312", pair),
        _KSC5601: ("euc_kr", pair),
    }[charset]
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return _REPLACEMENT


def _decode_8bit(run: bytes) -> str:
    """8-bit bytes inside ISO-2022-JP: JIS8 half-width katakana, else UTF-8 or CP932 text."""
    if all(0xA1 <= b <= 0xDF for b in run):
        return "".join(chr(0xFF61 + b - 0xA1) for b in run)
    for codec in ("utf-8", "cp932"):
        try:
            return run.decode(codec)
        except UnicodeDecodeError:
            continue
    return run.decode("cp932", "replace")


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _decode_single(chunk: bytes, charset: int) -> str:
    if charset == _KANA:
        return "".join(
            chr(0xFF61 + b - 0x21) if 0x21 <= b <= 0x5F else _decode_single(bytes((b,)), _ASCII)
            for b in chunk
        )
    if chunk.isascii():
        return chunk.decode("ascii")
    parts: list[str] = []
    last = 0
    for m in _HIGH_RUN.finditer(chunk):
        parts.append(chunk[last : m.start()].decode("ascii"))
        parts.append(_decode_8bit(m.group()))
        last = m.end()
    parts.append(chunk[last:].decode("ascii"))
    return "".join(parts)


def decode_cp50220(data: bytes) -> str:
    """Decode ISO-2022-JP (any Windows/CP5022x or JIS X 0213 flavour); U+FFFD only for junk."""
    if _ESC not in data and _SO not in data:
        return _decode_single(data, _ASCII)
    out: list[str] = []
    charset = _ASCII
    shifted = False  # SO … SI: half-width katakana (CP50221/50222)
    i, n, start = 0, len(data), 0

    def flush(end: int) -> None:
        if end > start:
            chunk = data[start:end]
            if shifted:
                out.append(_decode_single(chunk, _KANA))
            elif charset in _DOUBLE_BYTE:
                out.append(_decode_pairs(chunk, charset))
            else:
                out.append(_decode_single(chunk, charset))

    while i < n:
        b = data[i]
        if b == _ESC:
            seq = next(
                (s for s in (data[i + 1 : i + 4], data[i + 1 : i + 3]) if s in _ESCAPES), None
            )
            if seq is None and data[i + 1 : i + 3] == b"&@":  # JIS X 0208-1990 announcer
                flush(i)
                i += 3
                start = i
                continue
            if seq is None:
                i += 1
                continue  # unknown escape: leave it in the text run, decoded as-is
            flush(i)
            charset = _ESCAPES[seq]
            shifted = False
            i += 1 + len(seq)
            start = i
        elif b in (_SO, _SI):
            flush(i)
            shifted = b == _SO
            i += 1
            start = i
        else:
            i += 1
    flush(n)
    return "".join(out)


@lru_cache(maxsize=1)
def _encode_overrides() -> dict[str, bytes]:
    """Characters Python's CP932 encoder puts in IBM rows (0xFA–0xFC), unreachable in JIS:
    CP50220 sends the NEC-selected copy (rows 89–92) instead."""
    overrides: dict[str, bytes] = {}
    for s1 in (0xED, 0xEE):
        for s2 in range(0x40, 0xFD):
            try:
                ch = bytes((s1, s2)).decode("cp932")
            except UnicodeDecodeError:
                continue
            overrides.setdefault(ch, bytes((s1, s2)))
    return overrides


_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]+")


def _full_width(run: re.Match[str]) -> str:
    text = unicodedata.normalize("NFKC", run.group())
    return text.replace("\u3099", "\u309b").replace("\u309a", "\u309c")


def encode_cp50220(text: str) -> bytes:
    """Encode for old Japanese mail clients as CP50220 does (half-width kana made full-width).

    Raises UnicodeEncodeError for characters CP932 cannot hold (emoji, most non-Japanese
    scripts); the caller then sends UTF-8 instead.
    """
    text = _HALFWIDTH_KANA.sub(_full_width, text)
    overrides = _encode_overrides()
    out = bytearray()
    double = False
    for pos, ch in enumerate(text):
        if ch < "\x80" and ch != "\x1b" and ch not in "\x0e\x0f":
            if double:
                out += b"\x1b(B"
                double = False
            out.append(ord(ch))
            continue
        try:
            sjis = ch.encode("cp932")
            if sjis[0] >= 0xFA:  # IBM rows: use the NEC-selected copy
                sjis = overrides.get(ch, sjis)
        except UnicodeEncodeError:
            raise UnicodeEncodeError("cp50220", text, pos, pos + 1, "not in CP932") from None
        if len(sjis) != 2 or not (0x81 <= sjis[0] <= 0x9F or 0xE0 <= sjis[0] <= 0xEF):
            raise UnicodeEncodeError("cp50220", text, pos, pos + 1, "no JIS X 0208 code")
        if not double:
            out += b"\x1b$B"
            double = True
        out += bytes(sjis_to_jis(sjis[0], sjis[1]))
    if double:
        out += b"\x1b(B"
    return bytes(out)
