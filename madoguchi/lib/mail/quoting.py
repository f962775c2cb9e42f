"""Trim the quoted earlier mail and the signature from a reply, for the ticket timeline.

Conservative on purpose: the full mail stays viewable, but a customer's own words must never
vanish from the timeline. A cut is made only at a clear marker (an attribution line followed
by the quote, an Outlook header block, a signature separator followed by contact lines), and
the full text comes back whenever the cut would leave nothing.
"""

from __future__ import annotations

import re

_ATTRIBUTION = [
    # On Mon, Dec 1, 2026 at 10:00 AM Taro <a@b> wrote:   /  … schrieb … / … a écrit :
    re.compile(
        r"^\s*(on|le|am|el|il)\b.{4,300}(wrote|schrieb|a écrit|escribió|scrisse)\s*:\s*$", re.I
    ),
    re.compile(r"^.{0,300}\b(wrote|writes)\s*:\s*$", re.I),
    # 2026年12月1日(火) 10:00 山田太郎 <a@b>:   /  2026/12/01 10:00、山田様 のメール:
    re.compile(r"^\s*\d{4}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}.{0,200}[:：]\s*$"),
    re.compile(
        r"^.{0,200}(さんは|様は|氏は|さんが|様が)?(書きました|書き込みました|wrote)\s*[:：]\s*$"
    ),
    re.compile(r"^.{0,200}(のメッセージ|からのメール|のメール|メッセージ)\s*[:：]\s*$"),
    re.compile(r"^\s*(At|In message)\b.{4,200}(:|wrote)\s*$", re.I),
]
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|元のメッセージ|オリジナル ?メッセージ|転送元のメッセージ)"
    r"\s*-{2,}|_{20,}|-----\s*Original Message\s*-----)\s*$",
    re.I,
)
_FORWARD = re.compile(r"^\s*-{2,}\s*(forwarded message|転送メッセージ|転送されたメッセージ)", re.I)
_HEADER_FROM = re.compile(r"^\s*\**(from|差出人|送信者|送信元)\**\s*[:：]", re.I)
_HEADER_OTHER = re.compile(
    r"^\s*\**(sent|date|to|cc|subject|送信日時|送信日|日付|日時|宛先|件名|cc)\**\s*[:：]", re.I
)
_QUOTE = re.compile(r"^\s*(>|＞|\|)")
_SIG_DASHES = re.compile(r"^--\s?$")
_SIG_RULE = re.compile(r"^\s*([-=_*~+#■□◆◇●○◎★☆━─＝－＊～―‐・…※]\s*){5,}\s*$")
_CONTACT = re.compile(
    r"(株式会社|有限会社|合同会社|\(株\)|㈱|㈲|co\.,?\s*ltd|inc\.|llc|tel|fax|電話|〒|"
    r"e-?mail|mail\s*[:：]|https?://|[\w.+-]+@[\w-]+\.[\w.-]+|携帯|部\s|課\s|担当)",
    re.I,
)
_MOBILE_FOOTER = re.compile(
    r"^\s*(sent from my \w+.*|iPhoneから送信|iPadから送信|Android.{0,20}から送信|"
    r"Get Outlook for \w+.*|Outlook for \w+ を入手)\s*$",
    re.I,
)


def _attribution_lines(lines: list[str], i: int) -> int:
    """How many lines (0, 1 or 2) the attribution starting at line `i` takes."""
    line = lines[i].strip()
    if not line or len(line) > 400 or _QUOTE.match(line):
        return 0
    if any(p.match(line) for p in _ATTRIBUTION):
        return 1
    # Gmail wraps long attribution lines: "On …, Taro <\ntaro@example.com> wrote:"
    if i + 1 < len(lines) and lines[i + 1].strip():
        joined = f"{line} {lines[i + 1].strip()}"
        if _ATTRIBUTION[0].match(joined) or _ATTRIBUTION[1].match(joined):
            return 2
    return 0


def _header_block(lines: list[str], i: int) -> bool:
    """An Outlook-style block: From:/差出人: followed by Sent:/Date:/To:/Subject: lines."""
    if not _HEADER_FROM.match(lines[i]):
        return False
    following = [ln for ln in lines[i + 1 : i + 6] if ln.strip()]
    return sum(1 for ln in following[:4] if _HEADER_OTHER.match(ln)) >= 2


def _quote_cut(lines: list[str]) -> int | None:
    """Index where the quoted earlier mail starts, or None when there is none to cut."""
    for i, line in enumerate(lines):
        if _FORWARD.match(line):
            return None  # forwarded content is the customer's message: keep all
        if _SEPARATOR.match(line) or _header_block(lines, i):
            return i
        size = _attribution_lines(lines, i)
        if size:
            rest = [ln for ln in lines[i + size :] if ln.strip()]
            if rest and _QUOTE.match(rest[0]) and not _text_after_quote(rest):
                return i
            if rest and (_header_block(lines, i + size) or _SEPARATOR.match(rest[0])):
                return i
    # A trailing block of ">" lines with no attribution.
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (_QUOTE.match(lines[start - 1]) or not lines[start - 1].strip()):
        start -= 1
    if start < end and any(_QUOTE.match(ln) for ln in lines[start:end]):
        return start
    return None


def _text_after_quote(rest: list[str]) -> bool:
    """Whether non-quoted text follows the quote (an inline or bottom-posted reply)."""
    for line in rest:
        if _QUOTE.match(line) or _MOBILE_FOOTER.match(line):
            continue
        # A signature after the quote is not reply text; anything else is.
        return not _SIG_DASHES.match(line)
    return False


def _signature_cut(lines: list[str]) -> int | None:
    """Index of a signature separator near the end that is followed by contact lines."""
    n = len(lines)
    for i in range(n - 1, max(-1, n - 25), -1):
        line = lines[i]
        after = [ln for ln in lines[i + 1 :] if ln.strip()]
        if _SIG_DASHES.match(line) and len(after) <= 15:
            return i
        if _SIG_RULE.match(line) and 0 < len(after) <= 15:
            # A rule that opens the block: the signature is between it and the end (or a
            # closing rule), and at least one line looks like contact details.
            if any(_CONTACT.search(ln) for ln in after):
                j = i
                # A signature boxed by two rules: cut at the upper one.
                above = [k for k in range(max(0, i - 15), i) if _SIG_RULE.match(lines[k])]
                if above and any(_CONTACT.search(ln) for ln in lines[above[-1] : i]):
                    j = above[-1]
                return j
    return None


def trim_reply(text: str) -> str:
    """The new part of a reply: quoted earlier mail and signature removed; never empty."""
    if not text or not text.strip():
        return text or ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _quote_cut(lines)
    kept = lines[:cut] if cut is not None else lines
    if not any(ln.strip() for ln in kept):
        kept = lines
    sig = _signature_cut(kept)
    if sig is not None and any(ln.strip() for ln in kept[:sig]):
        kept = kept[:sig]
    while kept and (not kept[-1].strip() or _MOBILE_FOOTER.match(kept[-1])):
        if not any(ln.strip() for ln in kept[:-1]):
            break
        kept = kept[:-1]
    result = "\n".join(kept).strip("\n")
    return result if result.strip() else text.strip("\n")


_HTML_QUOTE = re.compile(
    r"""<(?:div|blockquote)\b[^>]*(?:class\s*=\s*["']?(?:gmail_quote|gmail_attr|yahoo_quoted"""
    r"""|moz-cite-prefix)|id\s*=\s*["']?(?:divRplyFwdMsg|appendonsend|mail-editor-reference"""
    r"""-message-container)|type\s*=\s*["']?cite)""",
    re.I,
)


_FORWARD_HTML = re.compile(r"forwarded message|転送メッセージ|転送されたメッセージ", re.I)


def cut_html_quote(html: str) -> str:
    """HTML up to the quoted earlier mail (Gmail, Outlook, Apple Mail, Thunderbird, Yahoo
    markers); the whole HTML when there is no marker or nothing would be left before it."""
    m = _HTML_QUOTE.search(html or "")
    if m is None or not re.sub(r"<[^>]+>|&nbsp;|\s", "", html[: m.start()]):
        return html
    if _FORWARD_HTML.search(html[m.start() : m.start() + 600]):
        return html  # Gmail wraps forwarded mail in the same marker: that is content
    return html[: m.start()]
