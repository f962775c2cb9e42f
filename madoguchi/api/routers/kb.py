"""Help-center search for anyone: the shop's site, the widget, the contact form.

Public (no token) and rate limited per client; answers carry CORS headers so a shop's own
pages may call it from the browser (GET only, no credentials). Only published, non-internal
articles are returned, each with its absolute public URL.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from madoguchi.core.errors import NotFound
from madoguchi.knowledge import queries, throttle

from ..errors import error_response, unknown_query_params
from ..schemas.common import ErrorOut

router = Router(tags=["help center"])

MAX_QUERY = 200


class KbSearchQuery(Schema):
    q: str = Field(min_length=1, max_length=MAX_QUERY, description="The customer's question.")
    limit: int = Field(5, ge=1, le=20)
    brand: str | None = Field(None, max_length=60, description="A brand's slug; all if left out.")
    language: Literal["ja", "en"] | None = Field(None, description="Search this language only.")


class KbHitOut(Schema):
    id: int
    external_id: str
    title: str
    snippet: str
    url: str
    score: float
    language: str


class KbSearchOut(Schema):
    results: list[KbHitOut]
    degraded: bool = Field(description="True when only keyword search was available.")


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


@router.get(
    "/kb/search",
    response={200: KbSearchOut, frozenset({404, 422, 429}): ErrorOut},
    auth=None,
    url_name="kb_search",
)
def kb_search(request: HttpRequest, response: HttpResponse, filters: Query[KbSearchQuery]) -> Any:
    """Articles answering a question in the customer's own words, best first (public)."""
    unknown_query_params(request, set(KbSearchQuery.model_fields))
    response["Access-Control-Allow-Origin"] = "*"
    if not throttle.allow("search", throttle.client_of(request), throttle.search_per_minute()):
        return _cors(
            error_response(
                429, "throttled", _("Too many searches. Please wait a minute and try again.")
            )
        )
    query = filters.q.strip()
    if not query:
        return _cors(
            error_response(
                422,
                "validation_error",
                _("The request is not valid."),
                [{"location": "query", "field": "q", "type": "string_too_short",
                  "message": str(_("Too short."))}],
            )
        )  # fmt: skip
    brand_id = None
    if filters.brand is not None:
        try:
            brand_id = queries.public_brand(filters.brand).pk
        except NotFound as exc:
            return _cors(error_response(404, exc.code, exc.message))
    hits, degraded = queries.public_search(
        brand_id=brand_id, query=query, language=filters.language, limit=filters.limit
    )
    return {
        "results": [
            {
                "id": item.hit.article_id,
                "external_id": item.hit.external_id,
                "title": item.hit.title,
                "snippet": item.hit.snippet,
                "url": settings.PUBLIC_URL + item.path,
                "score": item.hit.score,
                "language": item.hit.language,
            }
            for item in hits
        ],
        "degraded": degraded,
    }
