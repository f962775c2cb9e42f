"""Japanese text for matching: NFKC + Sudachi normalised forms.

`引越し` and `引っ越し`, `ﾛｸﾞｲﾝ` and `ログイン`, `Ｔシャツ` and `Tシャツ` become the same tokens.
Every form handed out here holds only word characters separated by single spaces, so the
search backends (FTS5, tsquery) never see a character they could read as syntax.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from sudachipy import Dictionary, SplitMode

_local = threading.local()
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Particles and auxiliaries that add noise to full-text matching.
_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白"}


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def tokenizer():  # type: ignore[no-untyped-def]
    """This thread's Sudachi tokenizer (core dictionary, split mode A), loaded once."""
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _dictionary().tokenizer(mode=SplitMode.A)
        _local.tokenizer = tok
    return tok


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def clean_form(text: str) -> str:
    """Word characters only, single-spaced: `e-mail` → `e mail`, `"*:` → ``."""
    return _NON_WORD.sub(" ", normalise(text)).strip()


def word_forms(text: str, *, keep_particles: bool = False) -> list[list[str]]:
    """Each word of `text` as its match forms, the preferred form first.

    Japanese words match by their Sudachi normalised form (mode A splits compounds, so
    住所変更 → 住所 変更 and a query for 住所 finds it). Latin words keep their written form
    first, so a typed prefix (`refun`) still finds `refund`, and add Sudachi's normalised form
    when it is a different word (`login` → `ログイン`), so either spelling finds the other.
    """
    text = normalise(text)
    if not text.strip():
        return []
    out: list[list[str]] = []
    # Sudachi has an input size limit; feed it line by line in bounded chunks.
    for chunk in _chunks(text):
        for m in tokenizer().tokenize(chunk):
            if not keep_particles and m.part_of_speech()[0] in _SKIP_POS:
                continue
            surface = clean_form(m.surface())
            normalised = clean_form(m.normalized_form())
            if surface.isascii():
                forms = [surface, normalised]
            else:
                forms = [normalised]
            forms = [f for f in dict.fromkeys(forms) if f]
            if forms:
                out.append(forms)
    return out


def tokens(text: str, *, keep_particles: bool = False) -> list[str]:
    """Search tokens of a document: every match form of every word, in order."""
    return [form for forms in word_forms(text, keep_particles=keep_particles) for form in forms]


def _chunks(text: str, size: int = 4000) -> list[str]:
    parts: list[str] = []
    for line in text.splitlines():
        while len(line) > size:
            parts.append(line[:size])
            line = line[size:]
        if line.strip():
            parts.append(line)
    return parts
