"""Classify inbound mail as a person's mail or as loop-prone noise.

A helpdesk that auto-acknowledges every mail ends up in mail loops with vacation responders,
bounce daemons and itself. `classify` decides — from headers first, wording second — whether
a mail was written by a person (NORMAL) or is our own mail, a bounce, an abuse report, an
automatic reply or list traffic, and says why in a short English sentence for admins.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from email.message import Message

from madoguchi.lib.mail.bounces import Finding, find_bounce
from madoguchi.lib.mail.rawheaders import addresses, content_type, has_header, header, part_text
from madoguchi.lib.mail.types import BouncedRecipient, Classification, MailKind

LOOP_HEADER = "X-Madoguchi-Loop"

# Subjects that only responders produce. A customer's 「不在票が入っていた」 must not match:
# 不在/休暇/お休み count only in the fixed phrases responders use.
_AUTO_SUBJECT = re.compile(
    r"^\s*[\[【(（]?\s*(?:auto(?:matic)?[ -]?(?:reply|response|answer|respond)\b|"
    r"auto(?:reply|response)|auto\s*:|autoresponse|out of (?:the )?office|ooo\b|"
    r"away from (?:the )?office|on (?:vacation|holiday|leave)\b|"
    r"vacation (?:reply|notice|message|auto)|away until\b|abwesenheitsnotiz|"
    r"r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica|automatisch antwoord|"
    r"自動(?:返信|応答|返答|回答)(?!メール(?:が|は|を|の設定))|"
    r"不在(?:の|に関する)?(?:お知らせ|ご連絡|ご案内|通知|連絡|メッセージ)|"
    r"(?:休暇|お休み)(?:の|に関する)?(?:お知らせ|ご連絡|ご案内)|"
    r"(?:休暇|長期休暇|出張)中(?:です|のため|につき))",
    re.IGNORECASE,
)
# Body wording of responders; counted only together with another automatic-mail signal.
_AUTO_BODY = re.compile(
    r"(?:i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|on vacation|away|on leave|"
    r"travel+ing)|(?:limited|no) access to (?:my )?e-?mail|will (?:respond|reply|get back)"
    r" .{0,40}(?:when|upon|after) (?:i|my) return|this is an automat(?:ic|ed) (?:reply|response|"
    r"message)|自動(?:返信|応答)|不在にしております|休暇(?:を取得して|中)|お休みをいただいて|"
    r"(?:出張|外出)中のため|返信(?:が|は)遅れ",
    re.IGNORECASE,
)
_LIST_PRECEDENCE = ("bulk", "list", "junk")


def classify(message: Message, *, own_addresses: Collection[str] = ()) -> Classification:
    """The kind of `message` and why; never raises, a broken mail counts as NORMAL."""
    try:
        return _classify(message, own_addresses)
    except Exception as exc:  # the classifier must never stop ingestion
        return Classification(MailKind.NORMAL, f"not classified ({type(exc).__name__})")


def is_hard(recipients: Iterable[BouncedRecipient]) -> bool:
    """True when any bounced recipient failed permanently (do not mail it again)."""
    return any(r.hard for r in recipients)


def _classify(msg: Message, own_addresses: Collection[str]) -> Classification:
    own = _own(msg, own_addresses)
    if own:
        return Classification(MailKind.OWN, own)
    finding = find_bounce(msg)
    if finding and not (finding.kind == MailKind.BOUNCE and _person_reply(msg, finding)):
        return Classification(
            finding.kind, finding.why, finding.recipients, finding.original_message_id
        )
    auto = _auto_reply(msg)
    if auto:
        return Classification(MailKind.AUTO_REPLY, auto)
    listed = _list(msg)
    if listed:
        return Classification(MailKind.LIST, listed)
    return Classification(MailKind.NORMAL, "no automatic-mail header or pattern")


def _own(msg: Message, own_addresses: Collection[str]) -> str:
    if has_header(msg, LOOP_HEADER):
        return f"{LOOP_HEADER} header present"
    mine = {a.strip().lower() for a in own_addresses if a}
    if mine:
        for addr in addresses(header(msg, "From")):
            if addr in mine:
                return f"From is our own address {addr}"
    return ""


def _person_reply(msg: Message, finding: Finding) -> bool:
    """A bounce guess from wording alone that an explicit vacation responder outranks."""
    return (
        not finding.recipients
        and not finding.why.startswith("RFC")
        and bool(_AUTO_SUBJECT.search(header(msg, "Subject")))
    )


def _auto_reply(msg: Message) -> str:
    auto_submitted = header(msg, "Auto-Submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted[:30]}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
        value = header(msg, name).strip().lower()
        if has_header(msg, name) and value not in ("no", "false", "0"):
            return f"{name} header present"
    suppress = header(msg, "X-Auto-Response-Suppress").lower()
    if re.search(r"\b(?:all|oof|autoreply)\b", suppress):
        return f"X-Auto-Response-Suppress: {suppress[:30]}"
    precedence = header(msg, "Precedence").strip().lower()
    if precedence == "auto_reply":
        return "Precedence: auto_reply"
    if "autoresponder" in header(msg, "X-POST-MessageClass").lower():
        return "X-POST-MessageClass: autoresponder"
    subject = header(msg, "Subject")
    found = _AUTO_SUBJECT.search(subject)
    if found:
        return f'auto-reply subject "{found.group(0).strip()[:40]}"'
    null_sender = header(msg, "Return-Path").strip() == "<>"
    if null_sender or precedence in _LIST_PRECEDENCE:
        found = _AUTO_BODY.search(_body_start(msg))
        if found:
            signal = "empty Return-Path" if null_sender else f"Precedence: {precedence}"
            return f'vacation wording "{found.group(0)[:40]}" with {signal}'
    return ""


def _body_start(msg: Message) -> str:
    """The first text part's opening, enough for responder wording."""
    try:
        for part in msg.walk():
            if content_type(part) in ("text/plain", "text/html"):
                return part_text(part, limit=4000)
    except Exception:
        return ""
    return ""


def _list(msg: Message) -> str:
    precedence = header(msg, "Precedence").strip().lower()
    if precedence not in _LIST_PRECEDENCE:
        return ""
    for name in ("List-Id", "List-Unsubscribe"):
        if has_header(msg, name):
            return f"{name} with Precedence: {precedence}"
    return f"Precedence: {precedence}"
