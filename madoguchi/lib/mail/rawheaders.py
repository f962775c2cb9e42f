"""Header and body access for the loop classifier that never raises.

The classifier sees every inbound mail, including broken ones. The stdlib's `policy.default`
parses headers lazily on access and can raise on malformed addresses or encoded words, so we
read the raw header strings (`raw_items`) and decode them ourselves, forgivingly.
"""

from __future__ import annotations

import re
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses

_CODECS = {
    "iso-2022-jp": "iso2022_jp_2",
    "iso-2022-jp-1": "iso2022_jp_2",
    "iso-2022-jp-2": "iso2022_jp_2",
    "iso-2022-jp-3": "iso2022_jp_3",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-jp": "euc_jis_2004",
    "us-ascii": "utf-8",  # mislabelled 8-bit text is far more often UTF-8 than Latin-1
    "ascii": "utf-8",
}


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset first, then UTF-8, CP932, Latin-1 (never fails)."""
    tries = []
    if charset:
        cs = charset.strip().strip('"').lower()
        tries.append(_CODECS.get(cs, cs))
    if b"\x1b$" in data:  # ISO-2022-JP escape sequences, whatever the label says
        tries.append("iso2022_jp_2")
    tries += ["utf-8", "cp932"]
    for codec in tries:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1")


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words in a raw header value; undecodable parts stay as written."""
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except Exception:  # the stdlib raises several types on hostile input
        return value
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return "".join(out)


_FOLD = re.compile(r"\r?\n[ \t]+")


def header_all(msg: Message, name: str) -> list[str]:
    """Every value of header `name` (case-insensitive), unfolded and decoded."""
    wanted = name.lower()
    values = []
    try:
        items = msg.raw_items() if hasattr(msg, "raw_items") else msg.items()
        for key, value in items:
            if str(key).lower() == wanted:
                raw = str(value)
                if "\n" in raw:
                    raw = _FOLD.sub(" ", raw)
                raw = raw.strip()
                # raw 8-bit header bytes (ASCII, the usual case, cannot hold any)
                if not raw.isascii() and any("\udc80" <= ch <= "\udcff" for ch in raw):
                    raw = decode_bytes(raw.encode("utf-8", "surrogateescape"))
                values.append(decode_words(raw))
    except Exception:
        return values
    return values


def header(msg: Message, name: str) -> str:
    """The first value of header `name`, or "" when absent."""
    values = header_all(msg, name)
    return values[0] if values else ""


def has_header(msg: Message, name: str) -> bool:
    wanted = name.lower()
    try:
        return any(str(key).lower() == wanted for key in msg.keys())
    except Exception:
        return False


def addresses(value: str) -> list[str]:
    """The bare addresses in an address-list header value, lower-cased."""
    try:
        pairs = getaddresses([value])
    except Exception:
        return re.findall(r"[\w.+%-]+@[\w.-]+", value.lower())
    return [addr.strip().lower() for _name, addr in pairs if addr and "@" in addr]


_SIMPLE_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")


def content_type(part: Message) -> str:
    """`get_content_type()`, without building a structured header object for a plain value.

    The classifier asks every part several times; under policy.default each ask parsed the
    header again (a third of the classification time). A value that is a bare type/subtype
    token gives the same answer read raw; anything else goes to the stdlib as before.
    """
    try:
        raw = _first_raw(part, "content-type")
        if raw is not None:
            ctype = raw.split(";", 1)[0].strip().lower()
            if _SIMPLE_TYPE.fullmatch(ctype):
                return ctype
        return part.get_content_type()
    except Exception:
        return "text/plain"


def _first_raw(part: Message, wanted: str) -> str | None:
    """The raw value of the first header named `wanted` (lower case), as `Message.get` picks it."""
    items = part.raw_items() if hasattr(part, "raw_items") else part.items()
    for key, value in items:
        if key.lower() == wanted:
            return str(value)
    return None


def param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return str(value or "").strip().lower()


def part_text(part: Message, limit: int = 200_000) -> str:
    """The decoded text of a non-multipart part (a serialised header block for DSN parts)."""
    try:
        payload = part.get_payload()
        if isinstance(payload, list):  # message/delivery-status parsed into header blocks
            blocks = []
            for block in payload:
                if isinstance(block, Message):
                    items = block.raw_items() if hasattr(block, "raw_items") else block.items()
                    blocks.append("\n".join(f"{k}: {v}" for k, v in items))
            return "\n\n".join(blocks)[:limit]
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            return str(payload)[:limit]
        try:
            charset = part.get_content_charset()
        except Exception:
            charset = None
        return decode_bytes(data[:limit], charset)
    except Exception:
        return ""
