"""Recognise bounces (RFC 3464 DSNs and the many non-standard ones) and ARF complaints.

A bounce tells us an address is dead or our mail was refused; a helpdesk must never answer
it, and should stop mailing a dead address. We read the machine part when there is one, and
otherwise the MTA's prose: the failed recipient, the status code, a sisimai-style reason, and
the Message-ID of our mail that bounced so the connector can find the ticket.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr

from madoguchi.lib.mail import bounce_patterns as bp
from madoguchi.lib.mail.rawheaders import (
    addresses,
    content_type,
    header,
    header_all,
    param,
    part_text,
)
from madoguchi.lib.mail.types import BouncedRecipient, MailKind

_DSN_TYPES = ("message/delivery-status", "message/global-delivery-status")
_HEADER_TYPES = ("text/rfc822-headers", "message/global-headers")
_ORIGINAL_TYPES = ("message/rfc822", "message/global")
_MSGID = re.compile(r"^[ \t>]*message-id:[ \t]*(?:\n[ \t]+)?(<?[^\s<>]+@[^\s<>]+>?)", re.I | re.M)
_COMPLAINT_SUBJECT = re.compile(r"\s*(?:complaint about message|abuse report)", re.I)
_FWD = re.compile(r"^\s*(?:fwd?|fw|転送|tr|wg)\s*[:：]", re.I)


@dataclass
class Finding:
    kind: str  # MailKind.BOUNCE or MailKind.COMPLAINT
    why: str
    recipients: list[BouncedRecipient] = field(default_factory=list)
    original_message_id: str = ""


@dataclass
class _Parts:
    report: list[str] = field(default_factory=list)  # human-readable text outside the original
    dsn: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    originals: list[Message] = field(default_factory=list)
    original_headers: list[str] = field(default_factory=list)


def _collect(msg: Message, parts: _Parts, depth: int = 0) -> None:
    if depth > 8:
        return
    ctype = content_type(msg)
    try:
        payload = msg.get_payload()
    except Exception:
        return
    if ctype in _ORIGINAL_TYPES:
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            parts.originals.append(payload[0])
        else:
            parts.original_headers.append(part_text(msg))
        return
    if ctype in _DSN_TYPES:
        parts.dsn.append(part_text(msg))
        if depth == 0 and isinstance(payload, str):  # broken MIME: the whole body is "DSN"
            parts.report.append(payload)
    elif ctype == "message/feedback-report":
        parts.feedback.append(part_text(msg))
    elif ctype in _HEADER_TYPES:
        parts.original_headers.append(part_text(msg))
    elif isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                _collect(sub, parts, depth + 1)
    elif ctype.startswith("text/") or depth == 0 or isinstance(payload, str):
        text = part_text(msg)
        if ctype == "text/html":
            text = re.sub(r"<br\s*/?>|</p>|</div>|</tr>", "\n", text, flags=re.I)
            text = re.sub(r"<[^>]*>", " ", text).replace("&nbsp;", " ")
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        parts.report.append(text)


def _fields(text: str) -> list[dict[str, str]]:
    """DSN/ARF field blocks: one dict per blank-line separated group, keys lower-cased."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text.replace("\r", "").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, ""
        elif line[:1] in (" ", "\t") and last:
            current[last] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            last = key.strip().lower()
            current.setdefault(last, value.strip())
    if current:
        blocks.append(current)
    return blocks


def _addr(value: str) -> str:
    found = bp.ADDRESS.search(value.split(";", 1)[-1])
    return found.group(0).strip(".").lower() if found else ""


def _status(text: str) -> str:
    found = bp.STATUS_AFTER_CODE.search(text) or bp.STATUS_ANY.search(text)
    return found.group(1) if found else ""


def _code(text: str) -> str:
    found = bp.REPLY_CODE.search(text)
    return found.group(1) if found else ""


def _recipient(
    address: str, texts: list[str], status: str = "", action: str = "", reason: str = ""
) -> BouncedRecipient:
    """One failed recipient; `texts` are tried closest first for the status and reason."""
    for text in texts:
        status = status or _status(text)
    code = next((c for c in map(_code, texts) if c), "")
    reason = reason or bp.reason_for(texts, status, action)
    hard = bp.is_hard_reason(reason, status, code) and action.lower() != "delayed"
    return BouncedRecipient(address=address, status=status, reason=reason, hard=hard)


def _split_original(text: str) -> tuple[str, str]:
    """(report, returned mail) of a text bounce that quotes the original inline."""
    found = bp.ORIGINAL_START.search(text)
    if found:  # drop the marker line itself so the header block parses
        end = text.find("\n", found.end())
        return text[: found.start()], text[end + 1 :].lstrip("\n") if end >= 0 else ""
    found = bp.HEADER_BLOCK.search(text)
    if not found:
        return text, ""
    return text[: found.start()], text[found.start() :]


def _window(lines: list[str], index: int) -> str:
    """The diagnostic lines that belong to the address on line `index`."""
    out = [lines[index]]
    for line in lines[index + 1 : index + 8]:
        if bp.ADDRESS.search(line) and line.strip().startswith("<") and out:
            break
        out.append(line)
    return " ".join(x.strip() for x in out)


def _text_recipients(report: str, skip: set[str]) -> list[tuple[str, str]]:
    """Addresses named in the MTA prose, with the text that explains each one."""
    lines = report.split("\n")
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        if bp.SKIP_LINE.match(line):
            continue
        for match in bp.ADDRESS.finditer(line):
            addr = match.group(0).strip(".").lower()
            local = addr.split("@", 1)[0]
            if addr in skip or addr in found or bp.DAEMON_LOCAL.match(local):
                continue
            if line[match.end() : match.end() + 1] == ">" and "message-id" in line.lower():
                continue
            found[addr] = _window(lines, i)
    return list(found.items())


def _original_id(parts: _Parts, returned_text: str) -> tuple[str, list[str]]:
    """Message-ID and To/Cc of the mail that bounced."""
    for original in parts.originals:
        mid = header(original, "Message-ID")
        rcpts = addresses(", ".join(header_all(original, "To") + header_all(original, "Cc")))
        if mid or rcpts:
            return _norm_id(mid), rcpts
    for text in [*parts.original_headers, returned_text]:
        if not text:
            continue
        try:
            parsed = HeaderParser().parsestr(text.lstrip(" \n>-"), headersonly=True)
            rcpts = addresses(", ".join(header_all(parsed, "To") + header_all(parsed, "Cc")))
        except Exception:
            rcpts = []
        found = _MSGID.search(text)
        if found or rcpts:
            return (_norm_id(found.group(1)) if found else ""), rcpts
    return "", []


def _norm_id(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    return value if value.startswith("<") else f"<{value.strip('<>')}>"


def _sender_signal(msg: Message) -> str:
    raw_from = header(msg, "From")
    name, addr = parseaddr(raw_from)
    local = (addr or raw_from).split("@", 1)[0].strip(" <>\"'")
    if bp.DAEMON_LOCAL.match(local):
        return f"sender {local}"
    if name and bp.DAEMON_NAME.search(name):
        return f"sender name {name[:40]}"
    if header(msg, "Return-Path").strip() == "<>" and not raw_from.strip():
        return "empty Return-Path and no From"
    return ""


def _dsn_recipients(blocks: Iterable[dict[str, str]], prose: str) -> list[BouncedRecipient]:
    result: list[BouncedRecipient] = []
    seen: set[str] = set()
    prose_lines = prose.split("\n")
    for block in blocks:
        raw = block.get("final-recipient") or block.get("original-recipient") or ""
        addr = _addr(raw) or _addr(block.get("x-actual-recipient", ""))
        if not addr or addr in seen:
            continue
        seen.add(addr)
        raw_diag = block.get("diagnostic-code", "")
        diag = re.sub(r"^\s*(?:smtp|x-[\w-]+)\s*;\s*", "", raw_diag, flags=re.I)
        # a local delivery program (procmail, maildrop …) failed, not the address
        local = "mailererror" if raw_diag.lower().startswith("x-unix") else ""
        context = ""
        for i, line in enumerate(prose_lines):
            if addr in line.lower() and not bp.SKIP_LINE.match(line):
                context = _window(prose_lines, i)
                break
        status = block.get("status", "").split()[0] if block.get("status") else ""
        status = status if re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", status) else _status(diag)
        action = block.get("action", "").split(" ")[0]
        texts = [diag, context, prose[:3000]]
        result.append(_recipient(addr, texts, status, action, local))
    return result


def find_complaint(msg: Message, parts: _Parts | None = None) -> Finding | None:
    """ARF (RFC 5965) abuse reports and one-click unsubscribe notices."""
    parts = parts or _parts(msg)
    top = content_type(msg)
    arf = top == "multipart/report" and param(msg, "report-type") == "feedback-report"
    if not (arf or parts.feedback):
        if header(msg, "X-Apple-Unsubscribe").lower() == "true":
            return Finding(MailKind.COMPLAINT, "X-Apple-Unsubscribe: true (unsubscribe request)")
        if parts.originals and _COMPLAINT_SUBJECT.match(header(msg, "Subject")):
            mid, rcpts = _original_id(parts, "")
            hotmail = header(parts.originals[0], "X-HmXmrOriginalRecipient")
            rcpt = _addr(hotmail) or (rcpts[0] if rcpts else "")
            found = [BouncedRecipient(rcpt, "", "feedback", False)] if rcpt else []
            return Finding(
                MailKind.COMPLAINT, "complaint report with the message attached", found, mid
            )
        return None
    fields: dict[str, str] = {}
    for block in _fields("\n\n".join(parts.feedback)):
        fields.update(block)
    rcpt = _addr(fields.get("original-rcpt-to", "")) or _addr(fields.get("removal-recipient", ""))
    mid, original_rcpts = _original_id(parts, "")
    rcpt = rcpt or (original_rcpts[0] if original_rcpts else "")
    feedback = fields.get("feedback-type", "abuse") or "abuse"
    recipients = [BouncedRecipient(rcpt, "", "feedback", False)] if rcpt else []
    return Finding(MailKind.COMPLAINT, f"ARF feedback report ({feedback[:30]})", recipients, mid)


def _parts(msg: Message) -> _Parts:
    parts = _Parts()
    _collect(msg, parts)
    return parts


def find_bounce(msg: Message) -> Finding | None:
    """A Finding for a bounce or complaint, None for anything else."""
    parts = _parts(msg)
    complaint = find_complaint(msg, parts)
    if complaint:
        return complaint
    top = content_type(msg)
    subject = header(msg, "Subject")
    sender = _sender_signal(msg)
    prose = "\n".join(parts.report)[:300_000]
    report, returned = (
        _split_original(prose) if not (parts.originals or parts.original_headers) else (prose, "")
    )
    report = report[:30000]
    own = set(addresses(", ".join(header_all(msg, "To") + header_all(msg, "From"))))
    mid, original_rcpts = _original_id(parts, returned)

    if re.search(r"@(?:[\w-]+\.)*amazon(?:aws|ses)\.com>?\s*$", header(msg, "From"), re.I):
        ses = _ses_notification(report)
        if ses:
            return ses
    dsn_blocks = _fields("\n\n".join(parts.dsn)) if parts.dsn else []
    if not dsn_blocks and re.search(r"^final-recipient:", report, re.I | re.M):
        dsn_blocks = _fields(report)  # a DSN pasted into a text part
    recipients = _dsn_recipients(dsn_blocks, report)
    is_report = top == "multipart/report" and param(msg, "report-type") == "delivery-status"
    if recipients or (parts.dsn and is_report):
        why = "RFC 3464 delivery status report" if parts.dsn else "delivery status fields in body"
        if not recipients:
            recipients = _from_text(report, own, original_rcpts)
        return Finding(MailKind.BOUNCE, why, recipients, mid)

    subject_hit = bp.SUBJECT.search(subject)
    if _FWD.match(subject) and not sender:
        return None  # a person forwarding a bounce to us wants an answer
    body_hit = bp.BODY.search(report)
    machine = header(msg, "Return-Path").strip() == "<>" or header(msg, "Auto-Submitted")
    if subject_hit and (sender or body_hit or machine):
        why = f'bounce subject "{subject_hit.group(0)}"' + (f" from {sender}" if sender else "")
    elif sender and body_hit:
        why = f'{sender} with bounce text "{body_hit.group(0)[:40]}"'
    elif body_hit and parts.originals and header(msg, "Return-Path").strip() == "<>":
        why = f'empty Return-Path with bounce text "{body_hit.group(0)[:40]}"'
    else:
        return None
    return Finding(MailKind.BOUNCE, why, _from_text(report, own, original_rcpts), mid)


def _from_text(report: str, own: set[str], original_rcpts: list[str]) -> list[BouncedRecipient]:
    found = _text_recipients(report, own)
    if not found and len(original_rcpts) == 1:
        found = [(original_rcpts[0], "")]
    if len(found) == 1:
        return [_recipient(found[0][0], [found[0][1], report])]
    return [_recipient(addr, [text]) for addr, text in found[:50]]


def _ses_notification(text: str) -> Finding | None:
    """Amazon SES bounce/complaint notifications delivered as JSON mail by SNS."""
    start = min(
        (
            i
            for i in (
                text.find('{"notificationType"'),
                text.find('{"eventType"'),
                text.find('"Type" : "Notification"'),
            )
            if i >= 0
        ),
        default=-1,
    )
    if start < 0:
        return None
    start = text.rfind("{", 0, start + 1)
    try:
        data, _ = json.JSONDecoder(strict=False).raw_decode(text[start:])
        if isinstance(data, dict) and isinstance(data.get("Message"), str):  # the SNS envelope
            data = json.loads(data["Message"], strict=False)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    kind = str(data.get("notificationType") or data.get("eventType") or "")
    mail: dict = data["mail"] if isinstance(data.get("mail"), dict) else {}
    mid = _norm_id(str(_ses_header(mail, "message-id") or ""))
    recipients: list[BouncedRecipient] = []
    if kind == "Bounce":
        for item in (data.get("bounce") or {}).get("bouncedRecipients") or []:
            addr = _addr(str(item.get("emailAddress", "")))
            diag = str(item.get("diagnosticCode", ""))
            if addr:
                recipients.append(_recipient(addr, [diag], str(item.get("status", ""))))
        return Finding(MailKind.BOUNCE, "Amazon SES bounce notification", recipients, mid)
    if kind == "Complaint":
        for item in (data.get("complaint") or {}).get("complainedRecipients") or []:
            addr = _addr(str(item.get("emailAddress", "")))
            if addr:
                recipients.append(BouncedRecipient(addr, "", "feedback", False))
        return Finding(MailKind.COMPLAINT, "Amazon SES complaint notification", recipients, mid)
    if kind == "Delivery":
        for addr in (data.get("delivery") or {}).get("recipients") or []:
            recipients.append(BouncedRecipient(_addr(str(addr)), "2.6.0", "delivered", False))
        return Finding(MailKind.BOUNCE, "Amazon SES delivery notification", recipients, mid)
    return None


def _ses_header(mail: dict, name: str) -> str:
    for item in mail.get("headers") or []:
        if isinstance(item, dict) and str(item.get("name", "")).lower() == name:
            return str(item.get("value", ""))
    return ""
