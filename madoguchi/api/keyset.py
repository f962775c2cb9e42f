"""Keyset pagination by id (newest first) for lists without a time order of their own."""

from __future__ import annotations

import base64
import json
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import ValidationFailed

from .schemas.common import MAX_ID

M = TypeVar("M", bound=Model)


def encode_id_cursor(pk: int) -> str:
    raw = json.dumps({"before": pk}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_id_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        pk = json.loads(raw)["before"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor") from exc
    if not isinstance(pk, int) or isinstance(pk, bool) or not 1 <= pk <= MAX_ID:
        raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor")
    return pk


def page_by_id(qs: QuerySet[M], cursor: str, limit: int) -> tuple[list[M], str | None]:
    """One page, highest id first; the cursor points past the last row shown."""
    if cursor:
        qs = qs.filter(pk__lt=decode_id_cursor(cursor))
    items = list(qs.order_by("-pk")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, encode_id_cursor(items[-1].pk) if more and items else None
