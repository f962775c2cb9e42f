"""BM25 over the features of text.py, one unit per title, phrasing and body.

Postings are numpy arrays (unit, precomputed BM25 term weight), so a query of ~30
features over 40,000 units costs a few milliseconds. A translation's lexical score is its
best title/phrasing unit plus its body unit times `BODY_WEIGHT` (1.0 measured best on half A
of the dev set: bodies hold the words customers use for details).
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .text import last_word_prefix

TITLE, PHRASING, BODY = 0, 1, 2
COMMON = 3  # not a unit kind: "matched a borrowed common-question phrasing" (index.py)
K1 = 1.2
B = {TITLE: 0.5, PHRASING: 0.5, BODY: 0.75}
# Weight of a feature kind in the query: whole words and synonym groups say more than a
# shared bigram.
KIND_WEIGHT = {"w": 1.0, "s": 1.0, "g": 0.6}
BODY_WEIGHT = 1.0
PREFIX_EXPANSIONS = 8


class Vocabulary:
    """Feature names ↔ ids, shared by every index of the process.

    Analysed texts are kept as id/count arrays (`Encoded`, 8 bytes per feature of a text:
    about 25 MB for 10,000 articles), small enough for an index to hand its analysis to the
    next build, so only changed articles go through Sudachi again. Grows with the distinct
    features ever seen (tens of thousands per brand), never shrinks.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.ids: dict[str, int] = {}
        self.names: list[str] = []
        self._weights: list[float] = []  # KIND_WEIGHT of each feature

    def encode(self, features: Counter[str]) -> Encoded:
        with self._lock:
            ids = np.empty(len(features), dtype=np.int32)
            for n, feature in enumerate(features):
                known = self.ids.get(feature)
                if known is None:
                    known = self.ids[feature] = len(self.names)
                    self.names.append(feature)
                    self._weights.append(KIND_WEIGHT[feature[0]])
                ids[n] = known
        return Encoded(ids, np.fromiter(features.values(), np.float32, len(features)))

    def weights(self, ids: np.ndarray) -> np.ndarray:
        with self._lock:
            table = np.asarray(self._weights, dtype=np.float32)
        return table[ids]


@dataclass(frozen=True)
class Encoded:
    """An analysed text: feature ids (VOCABULARY) and their counts."""

    ids: np.ndarray
    counts: np.ndarray


VOCABULARY = Vocabulary()


@dataclass
class Unit:
    doc: int  # index of the translation in the owning index
    kind: int  # TITLE | PHRASING | BODY
    features: Counter[str] | Encoded


class LexicalIndex:
    def __init__(self, units: Sequence[Unit], n_docs: int) -> None:
        """Postings in one pass of numpy over every (unit, feature) pair, sorted by feature:
        a 10,000-article brand's 3 million pairs take about a second."""
        self.n_docs = n_docs
        self.unit_doc = np.array([u.doc for u in units], dtype=np.int32)
        self.unit_kind = np.array([u.kind for u in units], dtype=np.int8)
        encoded = [
            u.features if isinstance(u.features, Encoded) else VOCABULARY.encode(u.features)
            for u in units
        ]
        sizes = np.array([len(e.ids) for e in encoded], dtype=np.int64)
        ids = np.concatenate([e.ids for e in encoded]) if encoded else np.zeros(0, np.int32)
        tf = (
            np.concatenate([e.counts for e in encoded]).astype(np.float64)
            if encoded
            else np.zeros(0)
        )
        unit_of = np.repeat(np.arange(len(units), dtype=np.int32), sizes)
        lengths = np.bincount(unit_of, weights=tf, minlength=len(units))
        b = np.zeros(len(units), dtype=np.float64)
        avg = np.ones(len(units), dtype=np.float64)
        for kind, value in B.items():
            mask = self.unit_kind == kind
            if mask.any():
                b[mask] = value
                avg[mask] = float(lengths[mask].mean()) or 1.0
        norm = K1 * (1 - b + b * lengths / avg)
        weight = tf * (K1 + 1) / (tf + norm[unit_of])
        order = np.argsort(ids, kind="stable")  # by feature, then unit (already ascending)
        ids, unit_of, weight = ids[order], unit_of[order], weight[order]
        self.features, starts, df = np.unique(ids, return_index=True, return_counts=True)
        n = max(len(units), 1)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        scale = np.repeat(idf * VOCABULARY.weights(self.features), df)
        self._units = unit_of
        self._weights = (weight * scale).astype(np.float32)
        self._starts = np.append(starts, len(ids)).astype(np.int64)
        names = VOCABULARY.names
        self.words = sorted(
            name for name in (names[int(f)] for f in self.features) if name.startswith("w:")
        )

    def posting(self, feature: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(units, BM25 weights) of a feature, None if no unit has it."""
        known = VOCABULARY.ids.get(feature)
        if known is None:
            return None
        at = int(np.searchsorted(self.features, known))
        if at >= len(self.features) or self.features[at] != known:
            return None
        start, end = self._starts[at], self._starts[at + 1]
        return self._units[start:end], self._weights[start:end]

    def expand_prefix(self, query: str) -> list[str]:
        """Indexed words starting with the half-typed last word of `query`."""
        prefix = last_word_prefix(query)
        if not prefix:
            return []
        key = "w:" + prefix
        start = bisect.bisect_left(self.words, key)
        out: list[str] = []
        for word in self.words[start : start + PREFIX_EXPANSIONS]:
            if not word.startswith(key):
                break
            out.append(word)
        return out

    def score(
        self,
        features: Counter[str],
        extra_words: Sequence[str] = (),
        borrows: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lexical score per translation (0 for no match), and the score of every unit.

        `borrows`: for each of the first len(borrows) documents, the document (-1: none)
        holding the common-question phrasings it takes; its best unit counts like one more
        title/phrasing unit of the borrower (index.py)."""
        unit_scores = np.zeros(len(self.unit_doc), dtype=np.float32)
        for feature in set(features) | set(extra_words):
            posting = self.posting(feature)
            if posting is not None:
                unit_scores[posting[0]] += posting[1]
        real = self.n_docs if borrows is None else len(borrows)
        docs = np.zeros(self.n_docs, dtype=np.float32)
        hit = np.nonzero(unit_scores)[0]
        if not len(hit):
            return docs[:real], unit_scores
        doc_ids, kinds, values = self.unit_doc[hit], self.unit_kind[hit], unit_scores[hit]
        question = kinds != BODY
        np.maximum.at(docs, doc_ids[question], values[question])
        if borrows is not None:
            takes = borrows >= 0
            docs[:real][takes] = np.maximum(docs[:real][takes], docs[borrows[takes]])
        body = np.zeros(self.n_docs, dtype=np.float32)
        np.maximum.at(body, doc_ids[~question], values[~question])
        return (docs + BODY_WEIGHT * body)[:real], unit_scores

    def best_kind(self, doc: int, unit_scores: np.ndarray) -> int | None:
        """TITLE, PHRASING or BODY: which unit of `doc` matched best (None: none did)."""
        units = self._units_of(doc)
        if not len(units):
            return None
        values = unit_scores[units] * np.where(self.unit_kind[units] == BODY, BODY_WEIGHT, 1.0)
        best = int(np.argmax(values))
        return int(self.unit_kind[units[best]]) if values[best] > 0 else None

    def best_value(self, doc: int, unit_scores: np.ndarray) -> float:
        """The score of `doc`'s best title or phrasing unit (0: none matched)."""
        units = self._units_of(doc)
        question = units[self.unit_kind[units] != BODY]
        return float(unit_scores[question].max()) if len(question) else 0.0

    def _units_of(self, doc: int) -> np.ndarray:
        start = int(np.searchsorted(self.unit_doc, doc, side="left"))
        end = int(np.searchsorted(self.unit_doc, doc, side="right"))
        return np.arange(start, end)
