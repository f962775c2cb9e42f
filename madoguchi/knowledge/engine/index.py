"""One brand's searchable help-center translations, in memory.

Built from plain `Doc`s (store.py reads them from the database), so the engine can be
measured and tested without models. Both halves are numpy: lexical postings
(lexical.py) and one matrix of every embedding row, reduced per translation by maximum.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..hits import ArticleHit
from .common_questions import Borrowed, Intent
from .fusion import WEIGHTS, FusionWeights, fuse_query
from .lexical import BODY, COMMON, PHRASING, TITLE, VOCABULARY, Encoded, LexicalIndex, Unit
from .synonyms import SynonymSet
from .text import analyse, fold

SNIPPET = 160
_KIND_NAME = {TITLE: "title", PHRASING: "phrasing", BODY: "body", COMMON: "common"}


@dataclass
class Doc:
    translation_id: int
    article_id: int
    external_id: str
    language: str
    title: str
    phrasings: list[str]
    body: str  # plain text
    published: bool = True
    internal: bool = False
    # rows × dim, L2-normalised: title, each phrasing, then body passages (vectors.py)
    vectors: np.ndarray | None = None
    question_rows: int = 0  # how many leading rows are title + phrasings
    # False: the article opted out of the common-questions bank (common_questions.py).
    common: bool = True
    extra: dict[str, object] = field(default_factory=dict)


class ArticleIndex:
    def __init__(
        self,
        docs: Sequence[Doc],
        synonyms: SynonymSet,
        borrowed: Borrowed | None = None,
        previous: ArticleIndex | None = None,
    ) -> None:
        """`previous`: the brand's index this one replaces; texts it analysed under the same
        synonyms are not analysed again (Sudachi is most of a build: after one edit a
        10,000-article brand re-analyses one article, not 10,000)."""
        self.docs = list(docs)
        self.synonyms = synonyms
        self.borrowed = borrowed
        # every analysed title, phrasing and body, by text: handed to the next build
        self.analysed: dict[str, Encoded] = {}
        reuse = previous.analysed if previous is not None and previous.synonyms == synonyms else {}
        units: list[Unit] = []
        for i, doc in enumerate(self.docs):
            units.append(Unit(i, TITLE, self._analyse(doc.title, reuse)))
            for phrasing in doc.phrasings:
                units.append(Unit(i, PHRASING, self._analyse(phrasing, reuse)))
            if doc.body.strip():
                units.append(Unit(i, BODY, self._analyse(doc.body, reuse)))
        # The common-question phrasings an article takes join the brand's index as one
        # extra document per intent, so they are weighed with the brand's own IDF.
        self._borrows: np.ndarray | None = None
        n_docs = len(self.docs)
        if borrowed is not None and (borrowed.intent_of >= 0).any():
            used = sorted({int(n) for n in borrowed.intent_of if n >= 0})
            extra = {intent: n_docs + k for k, intent in enumerate(used)}
            features = borrowed.bank.features(synonyms)
            for intent in used:
                units.extend(Unit(extra[intent], PHRASING, f) for f in features[intent])
            self._borrows = np.array(
                [extra.get(int(n), -1) for n in borrowed.intent_of], dtype=np.int64
            )
            n_docs += len(used)
        self.lexical = LexicalIndex(units, n_docs)
        self.published = np.array([d.published for d in self.docs], dtype=bool)
        self.internal = np.array([d.internal for d in self.docs], dtype=bool)
        self.article = np.array([d.article_id for d in self.docs], dtype=np.int64)
        self.language = np.array([d.language for d in self.docs], dtype=object)
        self.has_vectors = np.array(
            [d.vectors is not None and len(d.vectors) > 0 for d in self.docs], dtype=bool
        )
        with_vectors = [i for i, d in enumerate(self.docs) if self.has_vectors[i]]
        self._vec_docs = np.array(with_vectors, dtype=np.int64)
        if with_vectors:
            blocks = [self.docs[i].vectors for i in with_vectors]
            self._matrix = np.ascontiguousarray(np.vstack(blocks), dtype=np.float32)  # type: ignore[arg-type]
            sizes = np.array([len(b) for b in blocks], dtype=np.int64)  # type: ignore[arg-type]
            self._starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            body = np.zeros(len(self._matrix), dtype=np.float32)
            for start, size, i in zip(self._starts, sizes, with_vectors, strict=True):
                body[start + min(self.docs[i].question_rows, size) : start + size] = 1.0
            self._body_rows = body
        else:
            self._matrix = np.zeros((0, 0), dtype=np.float32)
            self._starts = np.zeros(0, dtype=np.int64)
            self._body_rows = np.zeros(0, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.docs)

    def _analyse(self, text: str, reuse: dict[str, Encoded]) -> Encoded:
        found = self.analysed.get(text)
        if found is None:
            found = reuse.get(text)
            if found is None:
                found = VOCABULARY.encode(analyse(text, self.synonyms))
            self.analysed[text] = found
        return found

    def common_intent(self, translation_id: int) -> Intent | None:
        """The common-questions intent whose phrasings this translation takes."""
        if self.borrowed is None:
            return None
        for i, doc in enumerate(self.docs):
            if doc.translation_id == translation_id:
                return self.borrowed.intent(i)
        return None

    def semantic(self, qvec: np.ndarray, weights: FusionWeights = WEIGHTS) -> np.ndarray:
        """Best similarity per translation (NaN where a translation has no vectors)."""
        out = np.full(len(self.docs), np.nan, dtype=np.float32)
        if len(self._vec_docs):
            # One matrix-vector product over every row (~40,000 at 10,000 articles). einsum
            # runs it on this thread: BLAS would spread it over every core, and with other
            # requests (or processes) busy those threads wait on each other. Measured at
            # 10,000 articles on a busy 2-core machine: p50 4 ms against 10-15 ms.
            sims = np.einsum("ij,j->i", self._matrix, qvec.astype(np.float32))
            if weights.body_penalty:
                sims -= weights.body_penalty * self._body_rows
            out[self._vec_docs] = np.maximum.reduceat(sims, self._starts)
            common = self.borrowed.semantic(qvec) if self.borrowed is not None else None
            if common is not None:
                # A borrowed phrasing counts a little less than the article's own rows.
                common = common[self._vec_docs] - weights.common_penalty
                out[self._vec_docs] = np.maximum(out[self._vec_docs], common)
        return out

    def search(
        self,
        query: str,
        qvec: np.ndarray | None,
        *,
        language: str | None = None,
        limit: int = 5,
        include_internal: bool = False,
        include_drafts: bool = False,
        weights: FusionWeights = WEIGHTS,
    ) -> tuple[list[ArticleHit], bool]:
        """Best translations for `query`, one per article; returns (hits, degraded)."""
        eligible = np.ones(len(self.docs), dtype=bool)
        if not include_drafts:
            eligible &= self.published
        if not include_internal:
            eligible &= ~self.internal
        candidates = np.nonzero(eligible)[0]
        if not len(candidates) or not query.strip():
            return [], qvec is None
        features = analyse(query, self.synonyms)
        prefix = self.lexical.expand_prefix(query)
        all_lex, unit_scores = self.lexical.score(features, prefix, self._borrows)
        lex = all_lex[candidates]
        degraded = qvec is None or not bool(self.has_vectors[candidates].all())
        sem = None if degraded else self.semantic(qvec, weights)[candidates]  # type: ignore[arg-type]
        if sem is None and not lex.any():
            return [], degraded
        scores = fuse_query(query, lex, sem, weights)
        if language:
            scores = np.where(
                self.language[candidates] == language, scores, scores * weights.other_language
            )
        hits: list[ArticleHit] = []
        seen: set[int] = set()
        for pos in _best_first(scores, limit * 4 + 16):
            if sem is None and lex[pos] <= 0:
                break
            i = int(candidates[pos])
            if int(self.article[i]) in seen:
                continue
            seen.add(int(self.article[i]))
            matched = self._matched(i, unit_scores, None if sem is None else qvec)
            similarity = None if sem is None else round(float(sem[pos]), 4)
            hits.append(self._hit(i, query, matched, float(scores[pos]), similarity))
            if len(hits) >= limit:
                break
        return hits, degraded

    def _matched(self, i: int, unit_scores: np.ndarray, qvec: np.ndarray | None) -> str:
        """ "title" | "phrasing" | "body" | "common": the unit that matched best, by words,
        else by meaning (the closest embedding row)."""
        kind = self.lexical.best_kind(i, unit_scores)
        if self._borrows is not None and self._borrows[i] >= 0:
            common = self.lexical.best_value(int(self._borrows[i]), unit_scores)
            if common > self.lexical.best_value(i, unit_scores):
                return _KIND_NAME[COMMON]
        vectors = self.docs[i].vectors
        if kind is None and qvec is not None and vectors is not None and len(vectors):
            row = int(np.argmax(vectors @ qvec))
            kind = TITLE if row == 0 else PHRASING if row < self.docs[i].question_rows else BODY
        return _KIND_NAME[kind] if kind is not None else ""

    def _hit(
        self, i: int, query: str, matched: str, score: float, similarity: float | None
    ) -> ArticleHit:
        doc = self.docs[i]
        return ArticleHit(
            article_id=doc.article_id,
            translation_id=doc.translation_id,
            external_id=doc.external_id,
            language=doc.language,
            title=doc.title,
            snippet=snippet(doc.body, query),
            score=round(score, 4),
            matched=matched,
            similarity=similarity,
        )


def _best_first(scores: np.ndarray, likely: int) -> Iterator[int]:
    """Positions by descending score (ties by position), without sorting everything: the
    `likely` best first (enough for `limit` articles unless many translations share one),
    then, only if the caller keeps asking, the rest."""
    n = len(scores)
    if n <= likely * 4:
        yield from (int(p) for p in np.argsort(-scores, kind="stable"))
        return
    threshold = np.partition(scores, n - likely)[n - likely]
    top = np.nonzero(scores >= threshold)[0]  # every tie of the cut-off too
    yield from (int(p) for p in top[np.lexsort((top, -scores[top]))])
    rest = np.nonzero(scores < threshold)[0]
    yield from (int(p) for p in rest[np.lexsort((rest, -scores[rest]))])


_WORDS = re.compile(r"[^\W_]{2,}", re.UNICODE)


def snippet(body: str, query: str) -> str:
    """≤ SNIPPET characters of `body`, around the first query word it contains."""
    text = " ".join(body.split())
    if len(text) <= SNIPPET:
        return text
    folded = fold(text)
    at = -1
    for word in sorted(_WORDS.findall(fold(query)), key=len, reverse=True):
        for size in (len(word), 3, 2):
            at = folded.find(word[:size])
            if at >= 0:
                break
        if at >= 0:
            break
    start = max(0, at - 40) if at > 0 else 0
    piece = text[start : start + SNIPPET - 2]
    return ("…" if start else "") + piece + "…"
