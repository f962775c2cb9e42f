"""The one search interface: SQLite FTS5 or PostgreSQL tsvector over Sudachi tokens.

Raw FTS tokenizers do not split Japanese, so text is tokenised here (lib.japanese) and
the database only ever sees space-separated normalised tokens made of word characters.
A query becomes groups of alternative forms (`login` → login | ログイン); every group must
match, the last one as a prefix so results follow typing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef
from django.db.models.expressions import RawSQL

from madoguchi.lib import handles, japanese

from .models import DocumentKind, SearchDocument

MAX_QUERY_TERMS = 12
MAX_QUERY_CHARS = 500
# A document's token text stops growing here (a very long thread is findable by its first
# 200,000 characters of tokens, which is far more than any real conversation).
MAX_DOCUMENT_CHARS = 200_000


def document_tokens(parts: Iterable[str], extra_terms: Iterable[str] = ()) -> str:
    """The token string stored for a document: Sudachi forms, phone numbers written in the
    text in their searchable forms, plus exact extra terms (ticket number, handles)."""
    region = settings.PHONE_DEFAULT_REGION
    toks: list[str] = []
    phones: list[str] = []
    for part in parts:
        if not part:
            continue
        toks.extend(japanese.tokens(part))
        phones.extend(handles.phones_in_text(part, region))
    for e164 in dict.fromkeys(phones):
        toks.extend(japanese.clean_form(f) for f in handles.phone_search_forms(e164, region))
    toks.extend(japanese.clean_form(t) for t in extra_terms)
    return " ".join(t for t in toks if t)


def index(
    kind: DocumentKind, object_id: int, parts: Iterable[str], extra_terms: Iterable[str] = ()
) -> None:
    """Write the object's whole document (one upsert statement on both databases)."""
    tokens = document_tokens(parts, extra_terms)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO search_searchdocument (kind, object_id, tokens) VALUES (%s, %s, %s)"
            " ON CONFLICT (kind, object_id) DO UPDATE SET tokens = excluded.tokens",
            [int(kind), object_id, tokens],
        )


def append(kind: DocumentKind, object_id: int, parts: Iterable[str]) -> bool:
    """Add text to an existing document without re-tokenising what is already there.

    A new message on a long thread costs the tokens of that message only; a document that
    reached MAX_DOCUMENT_CHARS stops growing. Returns False when there is no document yet.
    """
    tokens = document_tokens(parts)
    if not tokens:
        return True
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE search_searchdocument SET tokens = tokens || ' ' || %s"
            " WHERE kind = %s AND object_id = %s AND length(tokens) < %s",
            [tokens, int(kind), object_id, MAX_DOCUMENT_CHARS],
        )
        if cur.rowcount:
            return True
        cur.execute(
            "SELECT 1 FROM search_searchdocument WHERE kind = %s AND object_id = %s",
            [int(kind), object_id],
        )
        return cur.fetchone() is not None


def remove(kind: DocumentKind, object_id: int) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def query_groups(query: str) -> list[list[str]]:
    """What a query must match: one group of alternative forms per word, in order.

    A phone number typed any way (`090-1234-5678`, `+81 90 1234 5678`, `０９０…`) is one
    group: its national digits, which every document with that number carries.
    """
    query = (query or "").strip()[:MAX_QUERY_CHARS]
    if not query:
        return []
    region = settings.PHONE_DEFAULT_REGION
    if handles.looks_like_phone(query):
        try:
            e164 = handles.normalise_phone(query, region)
        except handles.InvalidHandle:
            e164 = ""
        if e164 and handles.is_valid_phone(e164, region):
            forms = handles.phone_search_forms(e164, region)
            national = [f for f in forms if f.startswith("0")] or [e164.lstrip("+")]
            typed = japanese.clean_form(query).replace(" ", "")
            return [list(dict.fromkeys([national[0], typed]))]
    groups: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for forms in japanese.word_forms(query):
        key = tuple(forms)
        if key not in seen:
            seen.add(key)
            groups.append(forms)
    return groups[:MAX_QUERY_TERMS]


def query_terms(query: str) -> list[str]:
    """The preferred form of each query group (for display and debugging)."""
    return [group[0] for group in query_groups(query)]


def match(kind: DocumentKind, query: str, limit: int = 500) -> list[int]:
    """Object ids whose document matches every query group.

    Tickets come newest first (agents want the recent ones; lists re-sort by activity),
    customers and articles best match first.
    """
    groups = query_groups(query)
    if not groups:
        return []
    if connection.vendor == "postgresql":
        return _match_postgres(kind, groups, limit)
    return _match_sqlite(kind, groups, limit)


def _sqlite_expression(groups: list[list[str]]) -> str:
    """FTS5 syntax; forms hold only word characters and spaces, so quoting them is safe."""
    parts = []
    for position, forms in enumerate(groups):
        star = "*" if position == len(groups) - 1 else ""
        alternatives = [f'"{form}"{star}' for form in forms]
        parts.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    return " AND ".join(parts)


_SQLITE_ORDER = {True: "d.object_id DESC", False: "bm25(search_fts), d.object_id DESC"}


def _match_sqlite(kind: DocumentKind, groups: list[list[str]], limit: int) -> list[int]:
    order = _SQLITE_ORDER[kind == DocumentKind.TICKET]
    sql = (
        "SELECT d.object_id FROM search_fts f JOIN search_searchdocument d ON d.id = f.rowid"  # noqa: S608 (a fixed ORDER BY)
        f" WHERE search_fts MATCH %s AND d.kind = %s ORDER BY {order} LIMIT %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [_sqlite_expression(groups), int(kind), limit])
        return [row[0] for row in cur.fetchall()]


def _tsquery_expression(groups: list[list[str]]) -> str:
    """to_tsquery syntax; a quoted form of several words becomes a phrase (<->)."""
    parts = []
    for position, forms in enumerate(groups):
        star = ":*" if position == len(groups) - 1 else ""
        alternatives = [f"'{form}'{star}" for form in forms]
        parts.append(alternatives[0] if len(alternatives) == 1 else f"({' | '.join(alternatives)})")
    return " & ".join(parts)


def _match_postgres(kind: DocumentKind, groups: list[list[str]], limit: int) -> list[int]:
    """The stored tsvector (migration 0003) behind the kind's partial GIN index.

    The planner does not know that reading a tsvector means de-TOASTing it, so for a common
    word it prefers a sequential (or id-ordered index) scan that filters every row: seconds
    at 100k tickets instead of milliseconds. The statement runs with sequential scans off
    (restored right after), and tickets ask for ids only, so the bitmap path always wins.
    """
    tsquery = _tsquery_expression(groups)
    # kind is an int enum, inlined so the planner can pick that kind's partial index.
    if kind == DocumentKind.TICKET:
        sql = (
            "WITH hits AS MATERIALIZED ("  # noqa: S608 (kind is int(), the rest is bound)
            " SELECT object_id FROM search_searchdocument"
            f" WHERE kind = {int(kind)} AND tsv @@ to_tsquery('simple', %s)"
            ") SELECT object_id FROM hits ORDER BY object_id DESC LIMIT %s"
        )
        params: list[str | int] = [tsquery, limit]
    else:
        sql = (
            "SELECT object_id FROM search_searchdocument"  # noqa: S608 (as above)
            f" WHERE kind = {int(kind)} AND tsv @@ to_tsquery('simple', %s)"
            " ORDER BY ts_rank(tsv, to_tsquery('simple', %s)) DESC, object_id DESC LIMIT %s"
        )
        params = [tsquery, tsquery, limit]
    return _ids_without_seqscan(sql, params)


def _ids_without_seqscan(sql: str, params: list[str | int]) -> list[int]:
    """Run an id query with sequential scans off for this statement only, then restore them."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"
        )
        previous = cur.fetchone()[0]
        cur.execute(sql, params)
        rows = cur.fetchall()
        cur.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
    return [row[0] for row in rows]


def document_condition(kind: DocumentKind, query: str) -> Exists | None:
    """PostgreSQL: "this row's document matches" as an EXISTS to put inside a list query.

    The list keeps its own order and LIMIT: for a common word the planner walks the newest
    rows and probes each one's document through the (kind, object_id) index, for a rare one
    it starts from the GIN index. No candidate list, no cap on how far results can be paged
    (docs/performance.md, fix 4). Returns None on other databases, or for an empty query:
    callers then use match().
    """
    groups = query_groups(query)
    if connection.vendor != "postgresql" or not groups:
        return None
    matches = RawSQL(
        "tsv @@ to_tsquery('simple', %s)", [_tsquery_expression(groups)], BooleanField()
    )
    return Exists(
        SearchDocument.objects.filter(kind=kind, object_id=OuterRef("pk")).filter(matches)
    )


def match_unranked(kind: DocumentKind, query: str, limit: int) -> list[int]:
    """Up to `limit` ids of objects whose document matches every query group, in no useful order.

    Cheaper than match() on PostgreSQL for a common word: nothing is ranked and the scan stops
    at `limit`, so a caller can tell a rare query (a phone number, an email) from a common one
    (山田) before choosing how to page its list. SQLite answers through match() (FTS5 stops at
    the LIMIT either way); the ids are the same set on both databases.
    """
    if connection.vendor != "postgresql":
        return match(kind, query, limit=limit)
    groups = query_groups(query)
    if not groups:
        return []
    sql = (
        "SELECT object_id FROM search_searchdocument"  # noqa: S608 (kind is int(), the rest is bound)
        f" WHERE kind = {int(kind)} AND tsv @@ to_tsquery('simple', %s) LIMIT %s"
    )
    # As in match(): the planner underrates reading tsvectors, so keep it on the GIN index.
    return _ids_without_seqscan(sql, [_tsquery_expression(groups), limit])
