"""Help-center search for anyone: the shop's site, the widget, the contact form.

Public (no token) and rate limited per client; every answer, errors included, carries CORS
headers so a shop's own pages may call it from the browser (GET only, no credentials). Only
published, non-internal articles are returned, each with its absolute public URL.

Each search is logged for the analytics (knowledge.search_log): a box that sends a `session`
key merges its as-you-type requests into one row, and the answer's `search_id` lets the
result links report the click (`?sl=<search_id>` on the article page). Logging is one insert
or update in its own savepoint; if it fails the search still answers, without `search_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from pydantic import Field

from madoguchi.core.errors import NotFound
from madoguchi.knowledge import queries, throttle
from madoguchi.knowledge.confidence import answers
from madoguchi.knowledge.search_tracking import track_search

from ..errors import error_response, unknown_query_params
from ..schemas.common import ErrorOut

router = Router(tags=["help center"])

MAX_QUERY = 200


class KbSearchQuery(Schema):
    q: str = Field(min_length=1, max_length=MAX_QUERY, description="The customer's question.")
    limit: int = Field(5, ge=1, le=20)
    brand: str | None = Field(None, max_length=60, description="A brand's slug; all if left out.")
    language: Literal["ja", "en"] | None = Field(None, description="Search this language only.")
    session: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{8,40}$",
        description="A random key per search box focus: as-you-type requests count as one search.",
    )
    source: Literal["help_center", "widget", "api"] = Field(
        "api", description="Which search box asked (for the analytics)."
    )


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
    search_id: int | None = Field(
        None, description="This search's log id: add ?sl=<search_id> to a result's url."
    )


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _cors_always(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ninja answers invalid parameters (limit=abc) before the operation runs; this wraps the
    whole operation so those answers carry the CORS header too."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


@router.get(
    "/kb/search",
    response={200: KbSearchOut, frozenset({404, 422, 429}): ErrorOut},
    auth=None,
    url_name="kb_search",
)
@decorate_view(_cors_always)
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
    search_id = track_search(
        brand_id=brand_id,
        source=filters.source,
        query=query,
        shown=[item.hit.article_id for item in hits],
        language=filters.language or "",
        session=filters.session or "",
        client=throttle.client_of(request),
        degraded=degraded,
        answered=answers(query, hits[0].hit if hits else None),
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
        "search_id": search_id,
    }
