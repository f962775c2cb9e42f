"""Japanese text for matching: NFKC + Sudachi normalised forms.

`引越し` and `引っ越し`, `ﾛｸﾞｲﾝ` and `ログイン`, `Ｔシャツ` and `Tシャツ` become the same tokens.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from sudachipy import Dictionary, SplitMode

_local = threading.local()
_WORD_RE = re.compile(r"\w", re.UNICODE)
# Particles and auxiliaries that add noise to full-text matching.
_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白"}


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _tokenizer():  # type: ignore[no-untyped-def]
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _dictionary().tokenizer(mode=SplitMode.A)
        _local.tokenizer = tok
    return tok


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str, *, keep_particles: bool = False) -> list[str]:
    """Search tokens: Sudachi normalised forms of short units (mode A), lower-cased.

    Mode A splits compounds (住所変更 → 住所 変更) so a query for 住所 finds them too.
    """
    text = normalise(text)
    if not text.strip():
        return []
    out: list[str] = []
    # Sudachi has an input size limit; feed it line by line in bounded chunks.
    for chunk in _chunks(text):
        for m in _tokenizer().tokenize(chunk):
            pos = m.part_of_speech()[0]
            if not keep_particles and pos in _SKIP_POS:
                continue
            form = m.normalized_form().lower()
            if not _WORD_RE.search(form):
                continue
            out.append(form)
    return out


def _chunks(text: str, size: int = 4000) -> list[str]:
    parts: list[str] = []
    for line in text.splitlines():
        while len(line) > size:
            parts.append(line[:size])
            line = line[size:]
        if line.strip():
            parts.append(line)
    return parts
