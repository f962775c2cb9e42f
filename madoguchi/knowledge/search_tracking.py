"""Logging public searches and clicks without ever breaking them.

The help center, the widget and the search API call these instead of search_log directly:
each write runs in its own savepoint, so a database error (a locked SQLite file, a full
disk) rolls back only the log row, is reported in the server log, and the reader still gets
the search results or the article. One insert or update per search, one update per click.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import DatabaseError, transaction

from .models import SearchSource
from .search_log import record_click, record_search

log = logging.getLogger(__name__)

# The search boxes whose results link to public article pages.
PUBLIC_SOURCES = (SearchSource.HELP_CENTER, SearchSource.WIDGET, SearchSource.API)


def track_search(
    *,
    brand_id: int | None,
    source: str,
    query: str,
    shown: Sequence[int],
    language: str = "",
    session: str = "",
    client: str = "",
    degraded: bool = False,
    answered: bool | None = None,
) -> int | None:
    """The log row's id, or None for blank text or when logging failed."""
    try:
        with transaction.atomic():
            row = record_search(
                brand_id=brand_id,
                source=source,
                query=query,
                shown=shown,
                language=language,
                session=session,
                client=client,
                degraded=degraded,
                answered=answered,
            )
    except DatabaseError:
        log.warning("could not log a %s search", source, exc_info=True)
        return None
    return row.pk if row is not None else None


def track_click(log_id: str | int | None, article_id: int, *, brand_id: int) -> bool:
    """Record the click of `?sl=<log_id>` on an article page; False when it did not count."""
    if not log_id:
        return False
    try:
        with transaction.atomic():
            return record_click(log_id, article_id, brand_id=brand_id, sources=PUBLIC_SOURCES)
    except DatabaseError:
        log.warning("could not log a click on article %s", article_id, exc_info=True)
        return False
