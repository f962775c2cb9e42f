"""Reads of the customer directory that pages and the API share."""

from __future__ import annotations

from django.db import connection, transaction

from madoguchi.search import index as search_index
from madoguchi.search.models import DocumentKind


def matching_ids(query: str, limit: int) -> list[int]:
    """Up to `limit` ids of customers whose search document matches, in no useful order.

    Cheaper than search.index.match() on PostgreSQL for a common word: no ranking of every
    match, the scan stops at `limit`. Used to tell rare queries (a phone number, an email)
    from common ones (山田) before choosing how to page the list.
    """
    if connection.vendor != "postgresql":
        return search_index.match(DocumentKind.CUSTOMER, query, limit=limit)
    groups = search_index.query_groups(query)
    if not groups:
        return []
    tsquery = search_index._tsquery_expression(groups)  # the same syntax as match() uses
    sql = (
        "SELECT object_id FROM search_searchdocument"  # noqa: S608 (kind is an int constant)
        f" WHERE kind = {int(DocumentKind.CUSTOMER)} AND tsv @@ to_tsquery('simple', %s)"
        " LIMIT %s"
    )
    with transaction.atomic(), connection.cursor() as cur:
        # As in match(): the planner underrates reading tsvectors, so keep it on the GIN index.
        cur.execute(
            "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"
        )
        previous = cur.fetchone()[0]
        cur.execute(sql, [tsquery, limit])
        rows = cur.fetchall()
        cur.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
    return [row[0] for row in rows]
