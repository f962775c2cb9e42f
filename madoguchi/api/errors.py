"""Every API failure answers `{"code", "message", "details"}` with the right status.

Domain errors carry their own code and status; framework errors (validation, auth, parsing,
body size, wrong method, unknown path) are translated here so clients see one shape.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from madoguchi.core.errors import DomainError, ValidationFailed

logger = logging.getLogger(__name__)

# The name every operation gives its JSON body parameter; stripped from error locations.
BODY_PARAM = "payload"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class JsonObjectParser(Parser):
    """Request bodies are JSON objects; anything else is a 400 with a stable code."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body, parse_constant=_reject_constant)
        # JSONDecodeError and UnicodeDecodeError are ValueErrors; nesting bombs recurse.
        except (ValueError, RecursionError) as exc:
            raise BadRequest(_("The request body is not valid JSON."), code="invalid_json") from exc
        if not isinstance(data, dict):
            raise BadRequest(_("The request body must be a JSON object."), code="invalid_json")
        return data


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def error_response(status: int, code: str, message: object, details: Any = None) -> JsonResponse:
    body = {"code": code, "message": str(message), "details": details}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="madoguchi"'
    return response


def domain_error_response(exc: DomainError) -> JsonResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details)


# pydantic error types with a translated explanation; others fall back to pydantic's text.
_FIELD_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "null_not_allowed": _("This field cannot be null."),
    "handle_required": _("Give the customer's email, phone or external_id."),
    "customer_required": _("Give either customer or customer_id (exactly one)."),
    "extra_forbidden": _("Unknown field."),
    "int_type": _("Expected a whole number."),
    "int_parsing": _("Expected a whole number."),
    "string_type": _("Expected text."),
    "bool_type": _("Expected true or false."),
    "bool_parsing": _("Expected true or false."),
    "list_type": _("Expected a list."),
    "dict_type": _("Expected an object."),
    "model_type": _("Expected an object."),
    "model_attributes_type": _("Expected an object."),
    "enum": _("Not one of the allowed values."),
    "string_pattern_mismatch": _("Not in the expected format."),
    "literal_error": _("Not one of the allowed values."),
    "datetime_parsing": _("Expected a date and time (ISO 8601)."),
    "datetime_from_date_parsing": _("Expected a date and time (ISO 8601)."),
    "datetime_type": _("Expected a date and time (ISO 8601)."),
    "too_long": _("Too many items."),
    "string_too_long": _("Too long."),
    "string_too_short": _("Too short."),
    "greater_than_equal": _("Too small."),
    "less_than_equal": _("Too large."),
}


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors as `{location, field, type, message, allowed?}`, messages translated."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else ""
        rest = loc[1:]
        if location == "body" and rest and rest[0] == BODY_PARAM:
            rest = rest[1:]
        kind = str(error.get("type", ""))
        message = _FIELD_MESSAGES.get(kind) or error.get("msg", "")
        item: dict[str, Any] = {
            "location": location,
            "field": ".".join(rest),
            "type": kind,
            "message": str(message),
        }
        ctx = error.get("ctx") or {}
        if "expected" in ctx:
            item["allowed"] = str(ctx["expected"])
        for key in ("max_length", "min_length", "ge", "le"):
            if key in ctx:
                item[key] = ctx[key]
        out.append(item)
    return out


def validation_error_response(errors: list[dict[str, Any]]) -> JsonResponse:
    details = field_errors(errors)
    if details and all(item["type"] == "extra_forbidden" for item in details):
        fields = ", ".join(item["field"] for item in details)
        return error_response(
            422, "unknown_fields", _("Unknown fields: %(fields)s") % {"fields": fields}, details
        )
    return error_response(422, "validation_error", _("The request is not valid."), details)


def unknown_query_params(request: HttpRequest, allowed: set[str]) -> None:
    """Query parameters the operation does not know are refused, like unknown body fields."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)},
            code="unknown_fields",
            details=[
                {
                    "location": "query",
                    "field": name,
                    "type": "extra_forbidden",
                    "message": str(_FIELD_MESSAGES["extra_forbidden"]),
                }
                for name in unknown
            ],
        )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    429: "throttled",
}


def not_found_response() -> JsonResponse:
    return error_response(404, "not_found", _("There is no such API endpoint."))


def method_not_allowed_response(allowed: str) -> JsonResponse:
    response = error_response(
        405, "method_not_allowed", _("This method is not allowed here."), {"allowed": allowed}
    )
    response["Allow"] = allowed
    return response


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers; the most specific exception class wins (ninja walks the MRO).

    Ninja types a handler's exception as "instance or class", hence `Any` below.
    """

    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        return domain_error_response(exc)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return validation_error_response(exc.errors)

    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            401,
            "unauthorized",
            _("Authentication required: send the header “Authorization: Bearer <token>”."),
        )

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc.__cause__, DomainError):  # e.g. our parser refusing the body
            return domain_error_response(exc.__cause__)
        code = _HTTP_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, _("The request was refused."))

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            413, "body_too_large", _("The request body is too large."), {"limit_bytes": _limit()}
        )

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(404, "not_found", _("Not found."))

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API %s %s failed", request.method, request.path)
        return error_response(500, "server_error", _("Something went wrong on the server."))

    api.add_exception_handler(DomainError, on_domain)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(TooManyFieldsSent, on_too_big)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(Exception, on_unexpected)


def _limit() -> int | None:
    from django.conf import settings

    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
