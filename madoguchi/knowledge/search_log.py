"""What readers searched for: the raw material of search analytics and the FAQ-gap report.

Every search box (help center, widget, contact form, agent reply box) logs through here.
As-you-type keystrokes of one box carry the same `session` key, so they update one row
(the last text wins) instead of counting every prefix as a question. A click on a result
is recorded on the row that showed it; a click on an article that row never showed is
ignored, so forged links cannot fill the report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from madoguchi.core.ids import parse_id

from .models import SearchLog, SearchSource

SESSION_WINDOW = timedelta(minutes=2)
_SPACES = re.compile(r"\s+")
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


def normalize_query(text: str) -> str:
    """The form queries are grouped by: NFKC, lower case, spaces folded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()[:500]


def clean_session(value: str | None) -> str:
    """A client-made session key, or "" when it is missing or not one of ours."""
    value = (value or "").strip()
    return value if _SESSION.match(value) else ""


def record_search(
    *,
    brand_id: int | None,
    source: SearchSource | str,
    query: str,
    shown: Sequence[int],
    language: str = "",
    session: str = "",
    client: str = "",
    degraded: bool = False,
    answered: bool | None = None,
) -> SearchLog | None:
    """Log one search (or update the row of its as-you-type session); None for blank text.

    `answered`: whether the first result likely answers (knowledge.confidence.answers);
    left out, any result counts as an answer.
    """
    query = (query or "").replace("\x00", "")  # PostgreSQL text refuses NUL
    normalized = normalize_query(query)
    if not normalized:
        return None
    now = timezone.now()
    session = clean_session(session)
    fields = {
        "query": query.strip()[:500],
        "normalized": normalized,
        "language": (language or "")[:8],
        "result_count": len(shown),
        "shown": [int(pk) for pk in shown],
        "answered": bool(shown) if answered is None else answered and bool(shown),
        "degraded": degraded,
        "updated_at": now,
    }
    with transaction.atomic():
        if session:
            rows = SearchLog.objects.select_for_update().filter(
                session=session,
                source=source,
                updated_at__gte=now - SESSION_WINDOW,
                clicked_at__isnull=True,
            )
            rows = (
                rows.filter(brand__isnull=True)
                if brand_id is None
                else rows.filter(brand_id=brand_id)
            )
            row = rows.order_by("-updated_at").first()
            if row is not None:
                for name, value in fields.items():
                    setattr(row, name, value)
                row.save(update_fields=list(fields))
                return row
        return SearchLog.objects.create(
            brand_id=brand_id,
            source=source,
            session=session,
            client=client[:64],
            created_at=now,
            **fields,
        )


def record_click(
    log_id: int | str | None,
    article_id: int,
    *,
    brand_id: int | None = None,
    sources: Sequence[str] = (),
) -> bool:
    """Note that the reader opened `article_id` from search `log_id`; the first click counts.

    Callers name the brand and the search boxes a click may come from, so a link with
    another box's log id (ids are sequential) cannot mark that search as answered.
    """
    pk = parse_id(log_id)
    if pk is None:
        return False
    rows = SearchLog.objects.filter(pk=pk, clicked_at__isnull=True)
    if brand_id is not None:
        rows = rows.filter(brand_id=brand_id)
    if sources:
        rows = rows.filter(source__in=list(sources))
    row = rows.first()
    if row is None or int(article_id) not in (row.shown or []):
        return False
    updated = SearchLog.objects.filter(pk=pk, clicked_at__isnull=True).update(
        clicked_article_id=article_id, clicked_at=timezone.now()
    )
    return bool(updated)
