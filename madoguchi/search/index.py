"""The one search interface: SQLite FTS5 or PostgreSQL tsvector over Sudachi tokens.

Raw FTS tokenizers do not split Japanese, so text is tokenised here (lib.japanese) and
the database only ever sees space-separated normalised tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.db import connection

from madoguchi.lib import handles, japanese

from .models import DocumentKind, SearchDocument

MAX_QUERY_TERMS = 12


def document_tokens(parts: Iterable[str], extra_terms: Iterable[str] = ()) -> str:
    """The token string stored for a document: Sudachi forms plus exact extra terms."""
    toks: list[str] = []
    for part in parts:
        toks.extend(japanese.tokens(part))
    toks.extend(_clean_term(t) for t in extra_terms if _clean_term(t))
    return " ".join(toks)


def index(kind: DocumentKind, object_id: int, parts: Iterable[str], extra_terms: Iterable[str] = ()) -> None:
    tokens = document_tokens(parts, extra_terms)
    SearchDocument.objects.update_or_create(
        kind=kind, object_id=object_id, defaults={"tokens": tokens}
    )


def remove(kind: DocumentKind, object_id: int) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def query_terms(query: str) -> list[str]:
    """Tokens a query must all match. A phone number is matched as its national digits."""
    query = (query or "").strip()
    if not query:
        return []
    if handles.looks_like_phone(query):
        try:
            e164 = handles.normalise_phone(query, settings.PHONE_DEFAULT_REGION)
        except handles.InvalidHandle:
            pass
        else:
            forms = handles.phone_search_forms(e164, settings.PHONE_DEFAULT_REGION)
            national = [f for f in forms if f.startswith("0")]
            return national[:1] or forms[:1]
    terms = [_clean_term(t) for t in japanese.tokens(query.lstrip("#"))]
    terms = [t for t in terms if t]
    # keep order, drop repeats
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


def _clean_term(term: str) -> str:
    return re.sub(r"[\s\"'*:&|!()<>\\^{}\[\]]", "", japanese.normalise(term))


def match(kind: DocumentKind, query: str, limit: int = 500) -> list[int]:
    """Object ids whose document contains every query term, best first."""
    terms = query_terms(query)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        return _match_postgres(kind, terms, limit)
    return _match_sqlite(kind, terms, limit)


def _match_sqlite(kind: DocumentKind, terms: list[str], limit: int) -> list[int]:
    # Last term as a prefix so "ログ" finds "ログイン" while typing.
    fts_query = " ".join(f'"{t}"' for t in terms[:-1]) + f' "{terms[-1]}"*'
    sql = (
        "SELECT d.object_id FROM search_fts f JOIN search_searchdocument d ON d.id = f.rowid"
        " WHERE search_fts MATCH %s AND d.kind = %s ORDER BY bm25(search_fts) LIMIT %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [fts_query.strip(), int(kind), limit])
        return [row[0] for row in cur.fetchall()]


def _match_postgres(kind: DocumentKind, terms: list[str], limit: int) -> list[int]:
    tsquery = " & ".join(f"'{t}'" for t in terms[:-1])
    last = f"'{terms[-1]}':*"
    tsquery = f"{tsquery} & {last}" if tsquery else last
    # kind is an int enum, inlined so the planner can pick that kind's partial index.
    sql = (
        "SELECT object_id FROM search_searchdocument"
        f" WHERE kind = {int(kind)} AND to_tsvector('simple', tokens) @@ to_tsquery('simple', %s)"
        " ORDER BY ts_rank(to_tsvector('simple', tokens), to_tsquery('simple', %s)) DESC,"
        " object_id DESC LIMIT %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [tsquery, tsquery, limit])
        return [row[0] for row in cur.fetchall()]
