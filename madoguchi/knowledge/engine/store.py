"""Indexes built from the database, one per brand, kept fresh across processes.

Why in memory and not FTS5 / tsvector: the lexical half scores bigrams of readings and
surfaces plus synonym groups with BM25 per title/phrasing/body unit; the semantic half
needs every embedding row at hand. Building both from the rows of one brand takes about a
second per thousand articles and answers a query in milliseconds on either database,
with identical ranking on SQLite and PostgreSQL. Freshness: a cheap version query (count,
max id and max updated_at of translations, articles and vectors, plus the synonym terms)
runs at most once per `CHECK_SECONDS` per brand; when it changes the index is rebuilt, so
every process sees an edit within about a second plus the rebuild. A rebuild takes the texts
the previous index analysed from it, so Sudachi sees only what changed (about 3 s instead
of 10 for a 10,000-article brand).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, connections
from django.db.models import Count, Max, Q

from ..models import ArticleStatus, ArticleTranslation, ArticleVector, Synonym
from .common_questions import bank
from .embedder import get_embedder
from .index import ArticleIndex, Doc
from .synonyms import compile_groups
from .text import plain_text

CHECK_SECONDS = 1.0
BACKGROUND_DOCS = 2000


@dataclass
class _Entry:
    version: tuple[Any, ...]
    checked: float
    index: ArticleIndex


_lock = threading.Lock()
_build_locks: dict[int | None, threading.Lock] = {}
_entries: dict[int | None, _Entry] = {}


def _synonym_terms(brand_id: int | None) -> list[list[str]]:
    rows = Synonym.objects.order_by("id")
    if brand_id is not None:
        rows = rows.filter(Q(brand_id=brand_id) | Q(brand__isnull=True))
    return [list(terms) for terms in rows.values_list("terms", flat=True) if terms]


def version(brand_id: int | None) -> tuple[Any, ...]:
    """What the index of `brand_id` was built from, in three aggregate queries."""
    translations = ArticleTranslation.objects.all()
    vectors = ArticleVector.objects.all()
    if brand_id is not None:
        translations = translations.filter(article__brand_id=brand_id)
        vectors = vectors.filter(translation__article__brand_id=brand_id)
    t = translations.aggregate(
        n=Count("id"), top=Max("id"), at=Max("updated_at"), article_at=Max("article__updated_at")
    )
    v = vectors.aggregate(n=Count("id"), at=Max("updated_at"))
    synonyms = hashlib.sha256(
        json.dumps(_synonym_terms(brand_id), ensure_ascii=False).encode()
    ).hexdigest()
    common = bank().ready(get_embedder().name)
    return (t["n"], t["top"], t["at"], t["article_at"], v["n"], v["at"], synonyms, common)


def build(brand_id: int | None, previous: ArticleIndex | None = None) -> ArticleIndex:
    """Read every translation of the brand (drafts and internal too: filtered per query);
    texts `previous` already analysed are reused."""
    rows = ArticleTranslation.objects.select_related("article").order_by("id")
    if brand_id is not None:
        rows = rows.filter(article__brand_id=brand_id)
    vectors = ArticleVector.objects.order_by()
    if brand_id is not None:
        vectors = vectors.filter(translation__article__brand_id=brand_id)
    by_translation = {
        tid: np.frombuffer(bytes(data), dtype=np.float32).reshape(n, -1)
        for tid, n, data in vectors.values_list("translation_id", "rows", "data")
        if n
    }
    docs = [
        Doc(
            translation_id=t.pk,
            article_id=t.article_id,
            external_id=t.article.external_id,
            language=t.language,
            title=t.title,
            phrasings=[str(p) for p in (t.phrasings or []) if str(p).strip()],
            body=plain_text(t.body),
            published=t.article.status == ArticleStatus.PUBLISHED,
            internal=t.article.internal,
            vectors=by_translation.get(t.pk),
            question_rows=1 + len([p for p in (t.phrasings or []) if str(p).strip()]),
            common=t.article.common_questions,
        )
        for t in rows
    ]
    synonyms = compile_groups(_synonym_terms(brand_id))
    common = bank()
    bank_vectors = (
        common.vectors(get_embedder()) if any(d.vectors is not None for d in docs) else None
    )
    borrowed = common.borrow(
        docs,
        synonyms,
        bank_vectors.intents if bank_vectors is not None else None,
        bank_vectors.phrasings if bank_vectors is not None else None,
    )
    return ArticleIndex(docs, synonyms, borrowed, previous)


def get_index(brand_id: int | None) -> ArticleIndex:
    """The current index of `brand_id` (None: every brand), rebuilt when the data changed.

    A large index (≥ BACKGROUND_DOCS translations, ~1.5 s per 1,000 to build) is rebuilt in
    a background thread while the previous one keeps answering; a small one, the first
    build, and calls inside a transaction (which must see their own writes) rebuild inline.
    """
    in_transaction = connection.in_atomic_block
    fresh_enough = CHECK_SECONDS if not in_transaction else -1.0
    entry = _entries.get(brand_id)
    if entry is not None and time.monotonic() - entry.checked < fresh_enough:
        return entry.index
    with _lock:
        build_lock = _build_locks.setdefault(brand_id, threading.Lock())
    if entry is None:
        build_lock.acquire()
    elif not build_lock.acquire(blocking=False):
        return entry.index  # another thread is rebuilding: serve the previous index meanwhile
    handed_off = False
    try:
        entry = _entries.get(brand_id)
        if entry is not None and time.monotonic() - entry.checked < fresh_enough:
            return entry.index
        current = version(brand_id)
        if entry is not None and entry.version == current:
            entry.checked = time.monotonic()
            return entry.index
        if entry is not None and not in_transaction and len(entry.index) >= BACKGROUND_DOCS:
            entry.checked = time.monotonic()  # do not start a second rebuild meanwhile
            threading.Thread(
                target=_rebuild, args=(brand_id, build_lock), daemon=True, name="kb-index"
            ).start()
            handed_off = True  # the thread releases the lock
            return entry.index
        index = build(brand_id, entry.index if entry is not None else None)
        _entries[brand_id] = _Entry(current, time.monotonic(), index)
        return index
    finally:
        if not handed_off:
            build_lock.release()


def _rebuild(brand_id: int | None, build_lock: threading.Lock) -> None:
    try:
        current = version(brand_id)
        previous = _entries.get(brand_id)
        index = build(brand_id, previous.index if previous is not None else None)
        _entries[brand_id] = _Entry(current, time.monotonic(), index)
    finally:
        build_lock.release()
        connections.close_all()  # this thread's database connection


def forget(brand_id: int | None = None, *, everything: bool = False) -> None:
    """Drop cached indexes (tests, or after bulk changes in this process)."""
    with _lock:
        if everything:
            _entries.clear()
        else:
            _entries.pop(brand_id, None)
