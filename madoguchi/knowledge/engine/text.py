"""Text analysis for help-center matching: what a question or an article "says" as features.

Three kinds of feature, so that customers' spelling does not matter:
- `w:` Sudachi normalised forms of content words (引越し = 引っ越し, ﾛｸﾞｲﾝ = ログイン), Latin
  words also lightly stemmed (refunds → refund);
- `g:` character bigrams of the folded surface *and* of the Sudachi reading, so kana for
  kanji (こうにゅうりれき → 購入履歴), typos (返ぴん) and half-typed words (キャンセ) still
  share most features with the right article; Latin words Sudachi knows add the bigrams of
  their katakana reading too (PayPay → ペイペイ), so ぺいぺい finds them;
- `s:` synonym groups (取り消し = キャンセル), see synonyms.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from madoguchi.lib.japanese import tokenizer

if TYPE_CHECKING:
    from .synonyms import SynonymSet

_RUNS = re.compile(r"[^\W_]+", re.UNICODE)
_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_HIRA_TO_KATA = {c: c + 0x60 for c in range(0x3041, 0x3097)}
# Words that say nothing about intent in a shop question; IDF would shrink them anyway,
# but single common verbs would otherwise match every article through their bigrams.
_ENGLISH_STOP = set(
    "a an the i me my we our you your it its is are was were be been am do does did can "
    "could would should will shall may might to of in on at for from by with and or but not "
    "no if so this that these those there here what when where which who how why please "
    "have has had get got want need".split()
)
_EMPTY_WORDS = {"為る", "有る", "居る", "成る", "出来る", "御", "事", "物", "の", "さん", "様"}


def fold(text: str) -> str:
    """NFKC, lower case, hiragana → katakana: the form synonyms and bigrams compare in."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_HIRA_TO_KATA)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _bigrams(text: str, out: Counter[str]) -> None:
    for run in _RUNS.findall(text):
        if len(run) == 1:
            out["g:" + run] += 1
        for i in range(len(run) - 1):
            out["g:" + run[i : i + 2]] += 1


def analyse(text: str, synonyms: SynonymSet | None = None) -> Counter[str]:
    """Feature counts of `text` (a title, a phrasing, a body or a query)."""
    plain = unicodedata.normalize("NFKC", text or "").lower()
    folded = plain.translate(_HIRA_TO_KATA)
    features: Counter[str] = Counter()
    if not folded.strip():
        return features
    readings: list[str] = []
    normalised: list[str] = []
    for line in plain.splitlines():  # Sudachi needs the hiragana as written
        line = line[:4000]
        if not line.strip():
            continue
        for m in tokenizer().tokenize(line):
            pos = m.part_of_speech()[0]
            surface = m.surface().strip()
            if not surface or pos in ("空白",):
                readings.append(" ")
                continue
            if surface.isascii():
                # Sudachi knows how many Latin words are said (PayPay → ペイペイ, VISA →
                # ビザ): their katakana reading lets あまぞんぺい find "Amazon Pay".
                reading = m.reading_form()
                spoken = "" if reading.isascii() or reading == surface else reading
                readings.append(" " + surface + " " + spoken + " ")
                word = _RUNS.findall(surface)
                for w in word:
                    if len(w) > 1 and w not in _ENGLISH_STOP:
                        features["w:" + _stem(w)] += 1
                continue
            readings.append(m.reading_form() if pos not in _SKIP_POS else " ")
            raw_form = m.normalized_form()
            form = fold(raw_form)
            normalised.append(form)
            if pos in _SKIP_POS or raw_form in _EMPTY_WORDS:
                continue
            features["w:" + form] += 1
        readings.append(" ")
    reading = fold("".join(readings))
    grams: Counter[str] = Counter()
    _bigrams(folded, grams)
    reading_grams: Counter[str] = Counter()
    _bigrams(reading, reading_grams)
    for gram, n in reading_grams.items():  # union, not sum: same gram from both views
        grams[gram] = max(grams[gram], n)
    features.update(grams)
    if synonyms is not None:
        for group in synonyms.groups_in(folded, "".join(normalised), reading):
            features[f"s:{group}"] += 1
    return features


def last_word_prefix(query: str) -> str:
    """The last word of a query still being typed (no trailing space), folded; else ""."""
    if not query or query[-1:].isspace():
        return ""
    runs = _RUNS.findall(fold(query))
    return runs[-1] if runs and len(runs[-1]) >= 2 else ""


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(
    r"(^\s{0,3}(#{1,6}|[-*+>]|\d+[.)])\s+)|[*_`~]{1,3}|^\s*[-=|:]{3,}\s*$", re.MULTILINE
)
_SENTENCE = re.compile(r"(?<=[。！？!?\n])")
PASSAGE_CHARS = 200


def plain_text(markdown: str) -> str:
    """Markdown → the words a reader sees (links keep their text, marks go)."""
    text = _MD_LINK.sub(r"\1", markdown or "")
    text = _MD_MARK.sub("", text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def passages(plain: str, size: int = PASSAGE_CHARS) -> list[str]:
    """A body cut at sentence ends into pieces of about `size` characters, for embedding."""
    out: list[str] = []
    current = ""
    for sentence in _SENTENCE.split(plain):
        sentence = sentence.strip()
        if not sentence:
            continue
        if current and len(current) + len(sentence) > size:
            out.append(current)
            current = ""
        current = (current + " " + sentence).strip() if current else sentence[: size * 2]
    if current:
        out.append(current)
    return out
