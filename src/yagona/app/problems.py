"""Errors as RFC 9457 problem details (`application/problem+json`) with the stable code."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from yagona.kernel.errors import YagonaError

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger(__name__)


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://yagona.uz/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install(app: FastAPI) -> None:
    @app.exception_handler(YagonaError)
    async def _domain(_request: Request, error: YagonaError) -> JSONResponse:
        return problem(
            error.http_status, error.code, error.message, **({"details": error.details} if error.details else {})
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]} for e in error.errors()]
        return problem(422, "invalid_request", "the request is not valid", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthenticated",
            403: "forbidden",
            413: "too_large",
        }.get(error.status_code, "http_error")
        return problem(error.status_code, code, str(error.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled_error")
        return problem(500, "internal_error", "something went wrong on our side; it has been logged")
