"""Embeddings of article translations for the semantic half of search.

Rows, in this order: the title, each phrasing, then the body cut into passages of ~200
characters (engine.text.passages). `text_hash` covers the model name and every row's
text, so a save that changes nothing (or only the status) costs nothing, and an edit
recomputes once. Editors and the importer call `schedule_refresh` after their write; the
task runs `refresh_vectors` in the worker.
"""

from __future__ import annotations

import hashlib

import numpy as np
from django.db import transaction

from .engine import common_questions
from .engine.embedder import Embedder, get_embedder
from .engine.text import passages, plain_text
from .models import ArticleTranslation, ArticleVector


def embedding_texts(title: str, phrasings: list[str], body: str) -> list[str]:
    """The texts embedded for one translation (body given as Markdown)."""
    rows = [title.strip()] + [str(p).strip() for p in phrasings if str(p).strip()]
    return rows + passages(plain_text(body))


def text_hash(model: str, texts: list[str]) -> str:
    digest = hashlib.sha256(model.encode())
    for text in texts:
        digest.update(b"\x00" + text.encode())
    return digest.hexdigest()


def refresh_vectors(translation_id: int, *, embedder: Embedder | None = None) -> str:
    """Compute and store the vectors of one translation unless they are current.

    Returns "unchanged", "updated", "missing" (translation deleted meanwhile) or
    "unavailable" (no embedder: search stays keyword-only for it).
    """
    embedder = embedder or get_embedder()
    translation = ArticleTranslation.objects.filter(pk=translation_id).first()
    if translation is None:
        return "missing"
    texts = embedding_texts(translation.title, list(translation.phrasings or []), translation.body)
    digest = text_hash(embedder.name, texts)
    current = (
        ArticleVector.objects.filter(translation_id=translation_id)
        .values_list("text_hash", flat=True)
        .first()
    )
    if current == digest:
        return "unchanged"
    if not embedder.available():
        return "unavailable"
    matrix = embedder.passages(texts)
    if matrix is None:
        return "unavailable"
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    ArticleVector.objects.update_or_create(
        translation_id=translation_id,
        defaults={
            "model": embedder.name,
            "text_hash": digest,
            "rows": len(matrix),
            "data": matrix.tobytes(),
        },
    )
    return "updated"


def refresh_brand_vectors(brand_id: int, *, embedder: Embedder | None = None) -> dict[str, int]:
    """Refresh every translation of a brand (after an import; safe to run again).

    Also computes the common-questions vectors if this process has none yet (~10 s once;
    cached in the data directory for every other process)."""
    embedder = embedder or get_embedder()
    if embedder.available():
        common_questions.bank().vectors(embedder, wait=True)
    counts: dict[str, int] = {}
    ids = (
        ArticleTranslation.objects.filter(article__brand_id=brand_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for translation_id in ids:
        outcome = refresh_vectors(translation_id, embedder=embedder)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def schedule_refresh(translation_id: int) -> None:
    """Queue the vector refresh after the current transaction commits."""
    from .tasks import refresh_article_vectors

    transaction.on_commit(lambda: refresh_article_vectors.enqueue(translation_id))
