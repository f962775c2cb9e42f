"""Outgoing charsets: ISO-2022-JP (CP50220 behaviour) text and RFC 2047 encoded-words.

Old Japanese clients and some carriers' gateways only read ISO-2022-JP. Windows users type
①, ㈱ and 髙, which Python's iso2022_jp codec cannot write; `madoguchi.lib.mail.jis` encodes
them the way Outlook does (CP50220). Text outside CP932 raises UnicodeEncodeError and
the caller sends UTF-8 instead.
"""

from __future__ import annotations

import base64

from madoguchi.lib.mail.jis import encode_cp50220


def encode_jis(text: str) -> bytes:
    """Text as ISO-2022-JP bytes (CP50220), starting and ending in ASCII mode."""
    return encode_cp50220(text)


def _encode(text: str, charset: str) -> bytes:
    return encode_jis(text) if charset == "iso-2022-jp" else text.encode("utf-8")


def _word(data: bytes, charset: str) -> str:
    return f"=?{charset.upper()}?B?{base64.b64encode(data).decode('ascii')}?="


def encoded_words(text: str, charset: str, width: int = 75) -> list[str]:
    """RFC 2047 B-encoded words of at most `width` (≤ 75) characters each.

    Split on character boundaries, never inside a multibyte character, and each word encoded
    on its own so an ISO-2022-JP word starts and ends in ASCII mode. ASCII text without
    `=?` stays as it is. Raises UnicodeEncodeError when the charset cannot hold a character.
    """
    if text.isascii() and "=?" not in text:
        return [text]
    width = min(width, 75)
    overhead = len(_word(b"", charset))
    words: list[str] = []
    chunk = ""
    for char in text:
        candidate = chunk + char
        size = len(_encode(candidate, charset))
        if chunk and overhead + 4 * ((size + 2) // 3) > width:
            words.append(_word(_encode(chunk, charset), charset))
            chunk = char
            _encode(chunk, charset)  # raise early for a character the charset lacks
        else:
            chunk = candidate
    if chunk:
        words.append(_word(_encode(chunk, charset), charset))
    return words
