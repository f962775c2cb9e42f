"""BM25 over the features of text.py, one unit per title, phrasing and body.

Postings are numpy arrays (unit, precomputed BM25 term weight), so a query of ~30
features over 40,000 units costs a few milliseconds. A translation's lexical score is its
best title/phrasing unit plus its body unit times `BODY_WEIGHT` (1.0 measured best on half A
of the dev set: bodies hold the words customers use for details).
"""

from __future__ import annotations

import bisect
import math
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


@dataclass
class Unit:
    doc: int  # index of the translation in the owning index
    kind: int  # TITLE | PHRASING | BODY
    features: Counter[str]


class LexicalIndex:
    def __init__(self, units: Sequence[Unit], n_docs: int) -> None:
        self.n_docs = n_docs
        self.unit_doc = np.array([u.doc for u in units], dtype=np.int32)
        self.unit_kind = np.array([u.kind for u in units], dtype=np.int8)
        lengths = np.array([sum(u.features.values()) for u in units], dtype=np.float32)
        avg = {
            k: float(lengths[self.unit_kind == k].mean() or 1.0)
            for k in B
            if (self.unit_kind == k).any()
        }
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, unit in enumerate(units):
            b = B[unit.kind]
            norm = K1 * (1 - b + b * lengths[i] / avg.get(unit.kind, 1.0))
            for feature, tf in unit.features.items():
                ids, weights = postings.setdefault(feature, ([], []))
                ids.append(i)
                weights.append(tf * (K1 + 1) / (tf + norm))
        n = max(len(units), 1)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for feature, (ids, weights) in postings.items():
            idf = math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            self.postings[feature] = (
                np.array(ids, dtype=np.int32),
                np.array(weights, dtype=np.float32) * idf * KIND_WEIGHT[feature[0]],
            )
        self.words = sorted(f for f in self.postings if f.startswith("w:"))

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
            posting = self.postings.get(feature)
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
