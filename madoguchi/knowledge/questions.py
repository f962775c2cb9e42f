"""A customer's message → a short question fit to become a 言い換え of an FAQ article.

Pure functions, no models: the learning loop (learning.py) calls `clean_question` on the
customer's latest message before an agent's reply that used an article. What an FAQ must
never carry is removed first — quoted mail and signatures, e-mail addresses, URLs, phone
numbers, order and other reference numbers, postal codes, dates and the customer's own
name — then the greetings and sign-offs every Japanese business mail wraps its question in
(「お世話になっております」「よろしくお願いいたします」, Dear…/Best regards). What is left is
cut at a sentence boundary to at most MAX_CHARS characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from madoguchi.lib.mail.quoting import trim_reply

MAX_CHARS = 120
MIN_CHARS_JA = 5  # 「返品したい」 is a fine phrasing; 「はい」 is not
MIN_WORDS_EN = 3

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")

# ---- personal data and reference numbers ------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>「」（）()、。]+", re.I)
_LABELLED = re.compile(
    r"(?<![A-Za-z])(?:ご?注文(?:番号|No\.?|NO\.?|#|＃)|受注番号|オーダー(?:番号|ID)|order\s*(?:number|no\.?|id|#)|"
    r"会員番号|会員ID|お客様番号|問い?合わ?せ番号|伝票番号|追跡番号|お?問合せ番号|"
    r"tracking\s*(?:number|no\.?)|電話番号|携帯番号|tel|phone|fax|メール(?:アドレス)?|e-?mail|"
    r"郵便番号)\s*(?:は|:|：|#|＃)?\s*"
    r"[A-Za-z0-9#\-_/.]*\d[A-Za-z0-9#\-_/.]*",
    re.I,
)
_POSTAL = re.compile(r"(?<![\d-])〒?\s*\d{3}-\d{4}(?![\d-])")
_PHONE = re.compile(r"\+?\(?\d[\d\-() ]{7,}\d")
_CODE = re.compile(
    r"#?(?=[A-Za-z0-9\-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+|#?\d{5,}|#\d+|(?<![A-Za-z0-9])[A-Za-z]{2,}\d{4,}(?![A-Za-z0-9])"
)
# 「私の名前は佐藤花子です」「My name is John Smith」: a name the customer record spells
# differently (kana, romaji) or someone else's.
_SELF_NAMED = re.compile(
    r"(?:私の)?(?:名前|氏名)は[^、。,]{1,20}?(?=です|と申します|[、。,]|$)|"
    r"\bmy name is [A-Za-z'-]+(?: [A-Za-z'-]+)?",
    re.IGNORECASE,
)
# An address without house numbers: prefecture + city/ward (+ town), 「東京都港区六本木一丁目」.
_PLACE = re.compile(
    r"(?:北海道|東京都|京都府|大阪府|[^\s、。,「」]{2,3}県)[^\s、。,「」]{0,6}?[市区町村郡]"
    r"[^\s、。,「」はがをにでへと]{0,12}(?:丁目|番地)?"
)
# A sentence that is only a short name: 「やまだです。」
_ONLY_A_NAME = re.compile(r"^(?:[ぁ-ん]{2,6}|[ァ-ヶー]{2,6}|[一-龥]{2,4})\s?(?:です|と申します)$")
_ADDRESS = re.compile(
    r"(?:北海道|東京都|京都府|大阪府|[^\s、。,「」]{2,3}県)[^\s、。,「」]{0,30}?\d+"
    r"(?:\s*[-ー−‐丁目番地号の]\s*\d*)*(?:[^\s、。,]{0,20}?(?:ビル|マンション|ハイツ|コーポ|号室|階|F)\b)?"
)
_DATE = re.compile(
    r"(?:\d{4}\s*[年/.-]\s*)?\d{1,2}\s*[月/]\s*\d{1,2}\s*日?(?:\s*[（(][^）)]{1,3}[）)])?"
)
# What scrub_personal_data leaves where it removed something; `clean_question` drops a
# sentence that only stated it (「住所は〒…です」) and glues the rest back together.
REMOVED = "\x00"
_EMPTY_BRACKETS = re.compile(r"[（(「【\[]\s*[:：、,]?\s*\x00?\s*[）)」】\]]")
_STATES_REMOVED = re.compile(
    r"^\s*\x00\s*(?:です|でした|でございます|になります|となります|と申します|まで|へ|宛)?\s*[。.!！]?\s*$|"
    r"\x00\s*(?:です|でした|でございます|になります|となります|と申します|宛)\s*[。.!！]?\s*$|"
    r"(?:は|:|：)\s*\x00"
)
# 「配達日を<date>にずらせますか」 → 「配達日をずらせますか」: a particle after the removed
# part goes with it when another particle already precedes it.
_PARTICLE_AFTER_PARTICLE = re.compile(r"(?<=[をはがに])\x00(?:に|へ|で|まで)?")
_REMOVED_GLUE = re.compile(r"\x00[\s、,]*(?:[はがをにでのともへ](?![ぁ-ん])|から|まで)?\s*")
_QUOTED_LINE = re.compile(r"^\s*[>＞|]|[:：]\s*$")

# ---- greetings and sign-offs (whole sentences) ------------------------------------------
_POLITE = r"(?:いた|致)?(?:します|しております|申し上げます)"
_GREETING_SENTENCES = [
    rf"(?:いつも)?(?:大変|たいへん)?お世話に(?:なって(?:おり|い)ます|なります){_POLITE}?",
    r"(?:はじめまして|初めまして|こんにちは|こんばんは|おはようございます|お疲れ様です)",
    rf"(?:突然の|初めての)?(?:ご連絡|メール|お問い?合わ?せ)(?:を)?(?:失礼|差し上げ){_POLITE}?",
    rf"(?:初めて)?(?:ご連絡|メール|お問い?合わ?せ){_POLITE}",
    r".{1,20}と申します",
    r".{0,20}(?:様|さま|御中|ご担当者様?|ご担当の方|担当者様)",
    r"(?:(?:以上|引き続き|今後とも|何卒|なにとぞ|どうぞ|どうか|お手数(?:を)?(?:おかけ(?:いた)?します|です)が?|"
    r"ご確認|ご対応|ご回答|ご検討|ご教示|ご返信|ご連絡|の|ほど|程|、|\s)*)"
    rf"(?:よろしく|宜しく)(?:お願い|おねがい){_POLITE}?",
    r"(?:以上|以上です|以上となります)",
    r"(?:ご)?(?:返信|回答|連絡|ご連絡|お返事|ご返事)(?:を)?(?:お待ちして(?:おり|い)ます|お待ちしております)",
    r".{0,24}(?:ありがとうございま(?:す|した)|有難うございま(?:す|した))",
    r"(?:承知|了解|かしこまり)(?:しました|いたしました|致しました|です|ました)",
    r"(?:お忙しい(?:ところ|中))?(?:恐れ入りますが|恐縮ですが|申し訳ありませんが|"
    r"申し訳ございませんが|すみません|すいません)",
    r"(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b.{0,40}",
    r"(?:many )?(?:thanks|thank you)(?: (?:so|very) much)?(?: in advance)?"
    r"(?: for (?:your|the) help)?",
    r"(?:best|kind|warm|warmest)? ?regards\b.{0,40}|sincerely\b.{0,40}|cheers\b.{0,20}|best",
    r"(?:i )?look(?:ing)? forward to (?:hearing from you|your (?:reply|answer|response))",
]
_GREETING = re.compile(r"^(?:" + "|".join(_GREETING_SENTENCES) + r")$", re.IGNORECASE | re.DOTALL)
# Openers glued to the question: 「お忙しいところ恐れ入りますが、返品したいです」
_LEADING = re.compile(
    r"^(?:(?:お忙しい(?:ところ|中)|突然|夜分遅くに)?(?:恐れ入りますが|恐縮ですが|申し訳ありませんが|"
    r"申し訳ございませんが|失礼します|失礼いたします|すみません|すいません|お手数ですが)|"
    r"(?:hi|hello|hey)(?: there)?)\s*[、,，!！]\s*",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*|[。！？!?]+")
_STRIP = " \t　、,，・:：-‐ー―~〜"
_TRIM_PUNCT = re.compile(r"^[\s、,，。.・:：]+|[\s、,，:：]+$")


def is_japanese(text: str) -> bool:
    """Kana or kanji anywhere: good enough to tell a Japanese question from an English one."""
    return bool(_JAPANESE.search(text or ""))


def detect_language(text: str) -> str:
    return "ja" if is_japanese(text) else "en"


def normalize_phrasing(text: str) -> str:
    """The form phrasings are compared (and proposals deduplicated) in: NFKC, lower case,
    without spaces or punctuation, so 「返品したい？」 and 「返品 したい」 are one question."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    kept = (ch for ch in folded if not unicodedata.category(ch).startswith(("P", "S", "Z", "C")))
    return "".join(kept)[:300]


def scrub_personal_data(text: str, names: Iterable[str] = ()) -> str:
    """The text without addresses, numbers that identify an order or a person, dates and
    the given names (the customer's), so nothing personal can reach a public FAQ."""
    text = unicodedata.normalize("NFKC", text or "")
    for pattern in (
        _URL, _EMAIL, _LABELLED, _POSTAL, _ADDRESS, _PLACE, _SELF_NAMED, _CODE, _PHONE, _DATE
    ):  # fmt: skip
        text = pattern.sub(REMOVED, text)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        text = re.sub(rf"{re.escape(name)}\s*(?:様|さま|さん)?", REMOVED, text)
    text = _EMPTY_BRACKETS.sub(
        "", _EMPTY_BRACKETS.sub("", text.replace(f"{REMOVED}{REMOVED}", REMOVED))
    )
    return re.sub(r"[ \t　]{2,}", " ", text)


def _name_parts(names: Iterable[str]) -> list[str]:
    parts: list[str] = []
    for name in names:
        name = unicodedata.normalize("NFKC", name or "").strip()
        if name:
            parts.append(name)
            parts.append(name.replace(" ", ""))
            parts.extend(p for p in re.split(r"\s+", name) if len(p) >= 2)
    return parts


def sentences(text: str) -> list[str]:
    """Sentences in order (lines count as sentence ends too), stripped, none empty."""
    found = []
    for piece in _SENTENCE.findall(text or ""):
        piece = piece.strip(_STRIP)
        if piece:
            found.append(piece)
    return found


def is_greeting(sentence: str) -> bool:
    core = _TRIM_PUNCT.sub("", sentence.rstrip("。.!！?？ "))
    return not core or bool(_GREETING.match(core))


def _long_enough(text: str) -> bool:
    if is_japanese(text):
        return len(normalize_phrasing(text)) >= MIN_CHARS_JA
    return len(re.findall(r"[A-Za-z0-9']+", text)) >= MIN_WORDS_EN


def _fit(parts: list[str], limit: int) -> str:
    """Whole sentences up to `limit` characters; a first sentence that is too long is cut at
    its last clause break (、 or ,) before the limit, or dropped when it has none."""
    chosen = ""
    for part in parts:
        glue = "" if not chosen or is_japanese(chosen + part) else " "
        if len(chosen) + len(glue) + len(part) <= limit:
            chosen += glue + part
            continue
        if not chosen:
            head = part[:limit]
            cut = max(head.rfind("、"), head.rfind(","), head.rfind("，"))
            if cut > 0:
                chosen = head[:cut]
        break
    return chosen.strip()


def question_sentences(text: str, *, names: Iterable[str] = ()) -> list[str]:
    """The sentences of `text` that ask something: quoted mail, personal data, greetings and
    sign-offs removed (shared with the FAQ-gap report)."""
    body = trim_reply((text or "").replace("\r\n", "\n"))
    body = "\n".join(ln for ln in body.split("\n") if not _QUOTED_LINE.search(ln))
    body = scrub_personal_data(body, _name_parts(names))
    kept = []
    for sentence in sentences(body):
        if REMOVED in sentence:
            if _STATES_REMOVED.search(sentence):
                continue  # 「電話番号は…です」: it only stated personal data
            sentence = _REMOVED_GLUE.sub("", _PARTICLE_AFTER_PARTICLE.sub("", sentence))
        sentence = _LEADING.sub("", sentence).strip(_STRIP)
        if not sentence or is_greeting(sentence) or _ONLY_A_NAME.match(sentence.rstrip("。.!！")):
            continue
        if len(normalize_phrasing(sentence)) < 3 or not re.search(r"[^\W\d_]", sentence):
            continue  # 「です」 left of 「山田です」, or numbers and symbols only
        kept.append(sentence)
    return kept


def clean_question(text: str, *, names: Iterable[str] = (), limit: int = MAX_CHARS) -> str:
    """The question in `text`, ≤ `limit` characters, or "" when nothing usable is left."""
    question = _TRIM_PUNCT.sub("", _fit(question_sentences(text, names=names), limit))
    if is_japanese(question):
        question = question.replace("?", "？").replace("!", "！")
    return question if question and _long_enough(question) else ""
