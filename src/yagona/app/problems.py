"""Errors as RFC 9457 problem details (`application/problem+json`) with the stable code,
said in the caller's language (`Accept-Language`: uz by default, ru, en). `title` is the
generic English of the code; `detail` and each invalid field's `message` are localised;
`Content-Language` names the language."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from yagona.kernel.errors import YagonaError
from yagona.platform.i18n import catalogue, localize, negotiate

PROBLEM_JSON = "application/problem+json"

_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}
# A validation error of the framework, by its type, as one of our field codes (platform/messages.yaml).
_FIELD_CODES = {
    "missing": "field_missing",
    "extra_forbidden": "field_extra",
    "string_too_long": "field_too_long",
    "too_long": "field_too_long",
    "string_too_short": "field_too_short",
    "too_short": "field_too_short",
    "string_pattern_mismatch": "field_pattern",
    "literal_error": "field_choice",
    "enum": "field_choice",
    "greater_than": "field_too_small",
    "greater_than_equal": "field_too_small",
    "less_than": "field_too_large",
    "less_than_equal": "field_too_large",
    "multiple_of": "field_invalid",
    "json_invalid": "json_invalid",
    "json_type": "json_invalid",
}
_LIMIT_KEYS = ("max_length", "min_length", "gt", "ge", "lt", "le", "expected", "multiple_of")
# Location parts the framework adds that name no field (types of a union, validator functions).
_NOT_FIELDS = frozenset({"body", "query", "path", "header", "cookie"})
_TYPE_TAGS = frozenset(
    {"function-after", "function-before", "function-plain", "function-wrap", "lax-or-strict", "json-or-python",
     "nullable", "union", "tagged-union", "is-instance", "int", "float", "str", "bool", "decimal", "none"}
)  # fmt: skip


@functools.cache
def _kind(code: str) -> type[YagonaError]:
    kind: type[YagonaError] = type(f"Said_{code}", (YagonaError,), {"code": code, "__module__": __name__})
    return kind


def _Said(code: str, message: str, **details: Any) -> YagonaError:  # noqa: N802 - reads as the error it makes
    """A refusal of the framework (a code of platform/messages.yaml) given to `localize`."""
    return _kind(code)(message, **details)


def title_of(code: str) -> str:
    """The generic English of a code: its English template before any placeholder."""
    english = catalogue().get(code, {}).get("en", "")
    return english.split("{", 1)[0].rstrip(" :—-") or code.replace("_", " ")


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    language: str = "en",
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"https://yagona.uz/problems/{code}",
        "title": title_of(code),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={**(headers or {}), "Content-Language": language},
    )


def language_of(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def field_errors(errors: Sequence[Any], language: str) -> list[dict[str, str]]:
    """Each invalid field in plain words: which field, our code for what is wrong, and a
    message in `language` — no framework prefixes, no internal type names."""
    said = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if location and location[0] in _NOT_FIELDS:
            location = location[1:]
        field = ".".join(part for part in location if "[" not in part and part not in _TYPE_TAGS) or "body"
        kind = str(error.get("type", ""))
        code = _FIELD_CODES.get(kind) or ("field_type" if kind.endswith(("_type", "_parsing")) else "field_invalid")
        context = error.get("ctx") or {}
        limit = next((context[key] for key in _LIMIT_KEYS if key in context), "")
        english = str(error.get("msg", ""))
        if kind == "value_error" and "error" in context:
            english = str(context["error"])  # our validator's own words, without "Value error, "
        elif kind == "assertion_error":
            english = "the value is not valid"
        elif code in catalogue():
            english = _english(code, field=field, limit=limit)
        message = localize(_Said(code, english, field=field, limit=limit), language)
        said.append({"field": field, "code": code, "message": message})
    return said


def _english(code: str, **details: Any) -> str:
    template = catalogue()[code]["en"]
    try:
        return template.format(**details)
    except (KeyError, IndexError, ValueError):
        return title_of(code)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """The methods some route answers at this path: each probed as the router would match it."""
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in request.app.routes)
    ]
    return ", ".join(allowed)


def install(app: FastAPI) -> None:
    @app.exception_handler(YagonaError)
    async def _domain(request: Request, error: YagonaError) -> JSONResponse:
        language = language_of(request)
        return problem(
            error.http_status,
            error.code,
            localize(error, language),
            language=language,
            **({"details": error.details} if error.details else {}),
        )

    @app.exception_handler(RequestValidationError)
    @app.exception_handler(ValidationError)
    async def _invalid(request: Request, error: RequestValidationError | ValidationError) -> JSONResponse:
        # A pydantic ValidationError out of a handler is a domain schema refusing what the route
        # built from a well-formed body (a transfer from an account to itself): the caller's 422.
        language = language_of(request)
        errors = field_errors(error.errors(), language)
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        detail = localize(_Said("invalid_request", f"the request is not valid: {fields}", field=fields), language)
        return problem(422, "invalid_request", detail, language=language, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        language = language_of(request)
        code = _HTTP_CODES.get(error.status_code, "http_error")
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        english = str(error.detail) if code == "http_error" else _english(code)
        return problem(
            error.status_code, code, localize(_Said(code, english), language), language=language, headers=headers
        )
