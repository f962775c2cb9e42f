"""The HTTP API at /api/v1/: tokens or console session, one error shape, thin routers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from .auth import BearerToken, ConsoleSession
from .errors import (
    JsonObjectParser,
    install_error_handlers,
    method_not_allowed_response,
    not_found_response,
)
from .routers import customers, desk, kb, ticket_actions, tickets

DESCRIPTION = """
Madoguchi's REST API. Authenticate with a per-agent token:
`Authorization: Bearer mdg_…` (create one in the console or with `madoguchi createtoken`).

Every error answers `{"code": "...", "message": "...", "details": ...}` with a 4xx status;
`code` is stable, `message` is translated (`Accept-Language: ja` or `en`).
Lists use keyset pagination: pass `next_cursor` back as `cursor` until it is null.
"""


class MadoguchiAPI(NinjaAPI):
    """NinjaAPI whose wrong-method and unknown-path answers use the API's error shape."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_errors(pattern.callback)
        urls.append(re_path(r"^.*$", _unknown_path, name="api-unknown-path"))
        return urls


def _json_method_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed_response(response["Allow"])
        return response

    return wrapper


@csrf_exempt
def _unknown_path(request: HttpRequest) -> HttpResponse:
    return not_found_response()


api = MadoguchiAPI(
    title="Madoguchi API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerToken(), ConsoleSession()],
    parser=JsonObjectParser(),
)
install_error_handlers(api)
api.add_router("", tickets.router)
api.add_router("", ticket_actions.router)
api.add_router("", customers.router)
api.add_router("", desk.router)
api.add_router("", kb.router)
