"""Combining the lexical and the semantic half into one score.

Weighted score fusion, chosen by measurement on half A of the development set
(bench/kb_eval.py): reciprocal-rank fusion scored ~0.63-0.69 hit@1, median-spread cosine
~0.74, the fixed-scale form below ~0.82; it keeps how *much* better the best candidate is.
Lexical BM25 is divided by the query's best score, so it lies in [0, 1]. e5 cosine
similarities sit in a narrow band, so each becomes 1 - (best - it) / `semantic_scale`,
clipped at 0: only candidates close to the best semantic match get semantic credit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    lexical: float = 0.4
    semantic: float = 0.6
    # Very short queries (a word or two, typed so far) embed poorly: lexical counts more.
    short_query: int = 6
    short_lexical: float = 0.6
    # Cosine similarity this far below the query's best candidate counts as nothing.
    semantic_scale: float = 0.07
    # Body passages of an article say less about the question than its title and
    # phrasings: their similarity can be lowered before taking the maximum (0 measured best).
    body_penalty: float = 0.0
    # A phrasing borrowed from the common-questions bank counts this much less similar
    # than the article's own rows (0.03-0.06 measured equally good; 0 lets a close
    # borrowed phrasing outrank the article that really answers).
    common_penalty: float = 0.05
    # A translation in another language than asked for ranks this much lower (a Japanese
    # article still answers an English question when no English article does).
    other_language: float = 0.85


WEIGHTS = FusionWeights()


def fuse_query(
    query: str, lexical: np.ndarray, semantic: np.ndarray | None, weights: FusionWeights = WEIGHTS
) -> np.ndarray:
    """`fuse` with the weights the query's length calls for."""
    if semantic is not None and len(query.strip()) <= weights.short_query:
        lex = weights.short_lexical
        weights = replace(weights, lexical=lex, semantic=1.0 - lex)
    return fuse(lexical, semantic, weights)


def fuse(
    lexical: np.ndarray, semantic: np.ndarray | None, weights: FusionWeights = WEIGHTS
) -> np.ndarray:
    """Fused score per candidate; `semantic` None means keyword-only (degraded)."""
    top = float(lexical.max()) if len(lexical) else 0.0
    lex = lexical / top if top > 0 else lexical
    if semantic is None:
        return lex
    sem = np.clip(1.0 + (semantic - semantic.max()) / weights.semantic_scale, 0.0, None)
    return weights.lexical * lex + weights.semantic * sem
