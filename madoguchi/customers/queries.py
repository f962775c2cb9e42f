"""Reads of the customer directory that pages and the API share."""

from __future__ import annotations

from madoguchi.search import index as search_index
from madoguchi.search.models import DocumentKind


def matching_ids(query: str, limit: int) -> list[int]:
    """Up to `limit` ids of customers whose search document matches, in no useful order.

    Used to tell rare queries (a phone number, an email) from common ones (山田) before
    choosing how to page the list; no ranking, the scan stops at `limit`.
    """
    return search_index.match_unranked(DocumentKind.CUSTOMER, query, limit)
