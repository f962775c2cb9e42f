"""Raw RFC 5322 bytes to a ParsedMail: stdlib `email` for the MIME tree, our decoding for text.

The stdlib's header objects decode ISO-2022-JP with Python's codec (NEC/IBM characters lost)
and raise on some malformed headers, so every header is read from the raw value and decoded
by `decoding`. Bodies are decoded from the transfer-decoded payload bytes. Anything odd is
repaired and noted in `defects`; only input with no header at all is refused.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from madoguchi.lib.html import html_to_text
from madoguchi.lib.mail.decoding import (
    decode_bytes,
    decode_header_value,
    filename_from_part,
    header_params,
)
from madoguchi.lib.mail.quoting import cut_html_quote, trim_reply
from madoguchi.lib.mail.types import MailAddress, MailAttachment, MailParseError, ParsedMail

_HEADER_LINE = re.compile(rb"^(?:From |[!-9;-~]+[ \t]*:)")
_SPACED_NAME = re.compile(rb"^([!-9;-~]+)[ \t]+:", re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FORWARD_SUBJECT = re.compile(r"^\s*(?:(?:re|aw|sv|返信)\s*:\s*)*(?:fwd?|fw|tr|wg|転送)\s*:", re.I)
_MSGID = re.compile(r"<([^<>\s]+)>")
_ADDR = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")
_SPACE = re.compile(r"\s+")


def raw_header(part: Message, name: str) -> str | None:
    """The raw (undecoded, possibly folded) value of the first `name` header, or None."""
    name = name.lower()
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return None


def _content_type(part: Message) -> str:
    raw = raw_header(part, "content-type") or ""
    ctype = raw.split(";", 1)[0].strip().lower()
    if re.fullmatch(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+", ctype):
        return ctype
    try:
        return part.get_content_type()
    except Exception:  # stdlib header parsing can fail on garbage
        return "text/plain"


def _payload_bytes(part: Message, defects: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        defects.append(f"payload undecodable ({type(exc).__name__}); kept raw")
        raw = part.get_payload()
        return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data if isinstance(data, bytes) else b""


def _header_text(msg: Message, name: str) -> str:
    raw = raw_header(msg, name)
    return _SPACE.sub(" ", decode_header_value(raw)).strip() if raw else ""


def _addresses(msg: Message, name: str) -> list[MailAddress]:
    raw = raw_header(msg, name)
    if not raw:
        return []
    raw = re.sub(r"\r?\n", "", raw)
    if re.search("[\udc80-\udcff\x1b]", raw):
        raw = decode_header_value(raw)  # raw 8-bit names: decode before splitting
    found: list[MailAddress] = []
    try:
        pairs = getaddresses([raw])
    except Exception:
        pairs = []
    for name_part, addr in pairs:
        addr = addr.strip().strip("<>")
        if "@" not in addr or addr.startswith("@") or addr.endswith("@"):
            continue
        local, _, domain = addr.rpartition("@")
        name_text = _SPACE.sub(" ", decode_header_value(name_part)).strip().strip('"')
        found.append(MailAddress(name=name_text, address=f"{local}@{domain.lower()}"))
    if not found:  # getaddresses gave up: pick the addresses out of the text
        for addr in _ADDR.findall(raw):
            local, _, domain = addr.rpartition("@")
            found.append(MailAddress(name="", address=f"{local}@{domain.lower()}"))
    unique: dict[str, MailAddress] = {}
    for item in found:
        known = unique.get(item.address.lower())
        if known is None or (not known.name and item.name):
            unique[item.address.lower()] = item
    return list(unique.values())


def _display_name(msg: Message, name: str) -> str:
    """The name part of an address header that holds no usable address ("MAILER-DAEMON <>")."""
    text = _header_text(msg, name)
    try:
        pairs = getaddresses([text])
    except Exception:
        pairs = []
    names = [n.strip() for n, _addr in pairs if n.strip()]
    return names[0] if names else re.sub(r"<[^>]*>", "", text).strip(' "')


def _message_ids(msg: Message, name: str) -> list[str]:
    raw = raw_header(msg, name)
    if not raw:
        return []
    ids = [f"<{m}>" for m in _MSGID.findall(raw)]
    if not ids:
        ids = [f"<{t.strip('<>')}>" for t in re.split(r"[\s,]+", raw) if "@" in t]
    return list(dict.fromkeys(ids))


def _date(msg: Message) -> datetime | None:
    raw = raw_header(msg, "date")
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(_SPACE.sub(" ", raw).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _disposition(part: Message) -> str:
    raw = raw_header(part, "content-disposition") or ""
    return raw.split(";", 1)[0].strip().lower()


class _Walker:
    """Collects body text, HTML and attachments from the MIME tree in reading order."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.enclosed: list[str] = []  # forwarded mails, after the sender's own words
        self.attachments: list[MailAttachment] = []
        self.defects: list[str] = []
        self.forwarded = False

    def walk(self, part: Message, parent: str = "", depth: int = 0) -> None:
        ctype = _content_type(part)
        if depth > 30:
            self.defects.append("MIME nesting too deep; rest kept as attachment")
            self._attach(part, ctype, inline=False)
            return
        if ctype == "message/rfc822" and parent != "multipart/report":
            self.forwarded = True
            self._enclosed(part, depth)
            return
        if ctype.startswith("message/"):  # delivery-status, returned mail, receipts
            self._attach(part, ctype, inline=False)
            return
        if part.is_multipart():
            children = [c for c in part.get_payload() if isinstance(c, Message)]
            if ctype == "multipart/alternative":
                self._alternative(children, depth)
            else:
                for child in children:
                    self.walk(child, ctype, depth + 1)
            return
        if ctype.startswith("multipart/"):  # no boundary found: the payload is plain text
            self.defects.append("multipart without parts read as text")
            self.texts.append(self._text(part))
            return
        filename = filename_from_part(part)
        disposition = _disposition(part)
        is_body = ctype in ("text/plain", "text/html") and disposition != "attachment"
        if is_body and not (filename and (self.texts or self.htmls)):
            text = self._text(part)
            (self.htmls if ctype == "text/html" else self.texts).append(text)
            return
        inline = ctype.startswith("image/") and disposition != "attachment"
        self._attach(part, ctype, inline=inline, filename=filename)

    def _alternative(self, children: list[Message], depth: int) -> None:
        # Parts are in increasing preference; take the best text and the best HTML.
        sub = _Walker()
        for child in children:
            sub.walk(child, "multipart/alternative", depth + 1)
        if sub.texts:
            self.texts.append(sub.texts[-1])
        if sub.htmls:
            self.htmls.append(sub.htmls[-1])
        self.enclosed += sub.enclosed
        self.attachments += sub.attachments
        self.defects += sub.defects
        self.forwarded = self.forwarded or sub.forwarded

    def _enclosed(self, part: Message, depth: int) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            self._attach(part, "message/rfc822", inline=False)
            return
        sub = _Walker()
        sub.walk(inner, "", depth + 1)
        body = "\n".join(t for t in sub.texts if t.strip())
        if not body and sub.htmls:
            body = html_to_text("\n".join(sub.htmls))
        body = "\n\n".join([body, *sub.enclosed]) if sub.enclosed else body
        lines = ["---------- Forwarded message ----------"]
        for label in ("From", "Date", "Subject", "To"):
            value = _header_text(inner, label.lower())
            if value:
                lines.append(f"{label}: {value}")
        self.enclosed.append("\n".join(lines) + "\n\n" + body)
        self.attachments += sub.attachments
        self.defects += sub.defects

    def _text(self, part: Message) -> str:
        charset = header_params(raw_header(part, "content-type") or "").get("charset")
        text, defects = decode_bytes(_payload_bytes(part, self.defects), charset)
        self.defects += defects
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def _attach(self, part: Message, ctype: str, *, inline: bool, filename: str = "") -> None:
        if ctype.startswith("message/") or part.is_multipart():
            data = _serialise(part)
        else:
            data = _payload_bytes(part, self.defects)
        name = filename or filename_from_part(part)
        if not name:
            ext = mimetypes.guess_extension(ctype) or ".bin"
            ext = ".eml" if ctype == "message/rfc822" else ext
            name = f"attachment-{len(self.attachments) + 1}{ext}"
        cid = (raw_header(part, "content-id") or "").strip()
        cid = _SPACE.sub("", cid).strip("<>")
        self.attachments.append(
            MailAttachment(
                filename=name,
                content_type=ctype,
                data=data,
                content_id=cid,
                inline=inline or bool(cid and ctype.startswith("image/")),
            )
        )


def _serialise(part: Message) -> bytes:
    """The payload of a message/* part as bytes (the enclosed mail or report blocks)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return b"".join(_flatten(p) for p in payload if isinstance(p, Message))
    return _payload_bytes(part, [])


def _flatten(part: Message) -> bytes:
    """A part written back with its headers exactly as received (no refolding, no re-encoding).

    The stdlib generator refolds and re-encodes every header, which costs more than the
    parse and changes what the mail said.
    """
    head = "".join(f"{name}: {value}\r\n" for name, value in part.raw_items())
    out = [head.encode("utf-8", "surrogateescape"), b"\r\n"]
    payload = part.get_payload()
    if isinstance(payload, list):
        children = [p for p in payload if isinstance(p, Message)]
        boundary = part.get_boundary() if part.is_multipart() else None
        if boundary and _content_type(part).startswith("multipart/"):
            if part.preamble:
                out.append(part.preamble.encode("utf-8", "surrogateescape") + b"\r\n")
            for child in children:
                out += [f"--{boundary}\r\n".encode(), _flatten(child), b"\r\n"]
            out.append(f"--{boundary}--\r\n".encode())
            if part.epilogue:
                out.append(part.epilogue.encode("utf-8", "surrogateescape"))
        else:
            out += [_flatten(child) for child in children]
    elif isinstance(payload, str):
        out.append(payload.encode("utf-8", "surrogateescape"))
    return b"".join(out)


def _repair_head(raw: bytes) -> bytes:
    """Leading blank space and obsolete "Name  :" header syntax, which the stdlib misreads."""
    raw = raw.lstrip(b" \t\r\n")
    end = _HEADER_END.search(raw)
    head, body = (raw[: end.start()], raw[end.start() :]) if end else (raw, b"")
    if _SPACED_NAME.search(head):
        head = _SPACED_NAME.sub(rb"\1:", head)
    return head + body


def _parse_tree(raw: bytes) -> EmailMessage:
    """The stdlib MIME tree, behaving as policy.default.

    The feedparser asks every part for its Content-Type while splitting; under policy.default
    each ask builds a structured header object, which was half the parse time. The tree is
    split under compat32 (same splitting rules, raw header strings) and then switched to
    policy.default, so callers get exactly the policy.default API.
    """
    try:
        msg = BytesParser(_class=EmailMessage, policy=policy.compat32).parsebytes(raw)
    except Exception as exc:  # stdlib bug on pathological input
        raise MailParseError(f"unparseable message: {exc}") from exc
    assert isinstance(msg, EmailMessage)
    for part in msg.walk():
        part.policy = policy.default
    return msg


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one raw message; raises MailParseError only when `raw` is not mail at all."""
    if not raw or not raw.strip():
        raise MailParseError("empty message")
    raw = _repair_head(raw)
    if not _HEADER_LINE.match(raw):
        raise MailParseError("no header at the start of the message: not an RFC 5322 mail")
    msg = _parse_tree(raw)
    if not msg.keys():
        raise MailParseError("no headers: not an RFC 5322 mail")
    walker = _Walker()
    try:
        walker.walk(msg)
    except Exception as exc:  # a stdlib or decoding surprise: keep the body as text
        walker = _Walker()
        walker.defects.append(f"MIME structure unreadable ({type(exc).__name__}): body as text")
        end = _HEADER_END.search(raw)
        body = raw[end.end() :] if end else b""
        walker.texts.append(decode_bytes(body, None)[0])
    defects = [type(d).__name__ for d in msg.defects]
    for part in msg.walk():
        if part is not msg:
            defects += [type(d).__name__ for d in part.defects]
    defects = list(dict.fromkeys(defects + walker.defects))
    text = "\n\n".join(t.strip("\n") for t in walker.texts if t.strip())
    html = "\n".join(walker.htmls)
    reply_source = text
    if not text and html:
        text = html_to_text(html)
        reply_source = html_to_text(cut_html_quote(html)) or text
    if walker.enclosed:  # forwarded mail: the sender's words first, then what they forwarded
        enclosed = "\n\n".join(e.strip("\n") for e in walker.enclosed)
        text = f"{text}\n\n{enclosed}" if text else enclosed
        reply_source = f"{reply_source}\n\n{enclosed}" if reply_source else enclosed
    subject = _header_text(msg, "subject")
    ids = _message_ids(msg, "message-id")
    senders = _addresses(msg, "from") or _addresses(msg, "sender")
    sender = senders[0] if senders else None
    if sender is None and raw_header(msg, "from"):
        sender = MailAddress(name=_display_name(msg, "from"), address="")
        defects.append("From unparseable")
    forwarded = walker.forwarded or bool(
        _FORWARD_SUBJECT.match(unicodedata.normalize("NFKC", subject))
    )
    return ParsedMail(
        message=msg,
        message_id=ids[0] if ids else "",
        in_reply_to=_message_ids(msg, "in-reply-to"),
        references=_message_ids(msg, "references"),
        subject=subject,
        sender=sender,
        reply_to=_addresses(msg, "reply-to"),
        to=_addresses(msg, "to"),
        cc=_addresses(msg, "cc"),
        date=_date(msg),
        text=text,
        html=html,
        reply_text=trim_reply(reply_source),
        attachments=walker.attachments,
        forwarded=forwarded,
        defects=defects,
    )
