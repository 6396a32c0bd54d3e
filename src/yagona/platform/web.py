"""What every HTTP router needs from the platform: a unit of work per request, the request
id, one log line per request, the body limit and the security headers. Who may call a
route: `yagona.platform.auth`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import structlog
from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yagona.kernel.ids import new_id
from yagona.platform.i18n import catalogue, negotiate
from yagona.platform.logging import bind_context, clear_context
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger(__name__)

# Strict: nothing but this origin's own files; no inline script or style; never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# The API explorer alone: Swagger UI sets style attributes, hence 'unsafe-inline' for styles only.
DOCS_PREFIX = "/api/docs"
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
_COMMON_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
SECURITY_HEADERS = ((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), *_COMMON_HEADERS)
DOCS_SECURITY_HEADERS = ((b"content-security-policy", DOCS_CONTENT_SECURITY_POLICY.encode()), *_COMMON_HEADERS)
# Answers on these paths concern a caller or a credential: never kept by a cache.
_PRIVATE_PREFIXES = ("/api/", "/oauth/", "/authorize", "/login", "/logout", "/oneid-simulator/")
_CREDENTIAL_HEADERS = (b"cookie", b"authorization", b"x-api-key")
_PUBLIC_ASSET_PREFIXES = ("/static/",)
# A client that went away before the answer: nginx's word for it, in the log only.
CLIENT_CLOSED = 499


class BodyTooLargeError(HTTPException):
    """The body passed the limit while it streamed in (raised from `receive`)."""

    def __init__(self) -> None:
        super().__init__(413, "the request body is too large")


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    factory: UnitOfWorkFactory = request.app.state.uow_factory
    with factory() as uow:
        # Named on the request for the page plumbing (the page's language): a second unit
        # of work in the same request would wait for SQLite's one writer, held by this one.
        request.state.uow = uow
        try:
            yield uow
        finally:
            request.state.uow = None


class RequestContextMiddleware:
    """Gives every request an id (taken from X-Request-Id when sane), binds it to the logs,
    returns it; refuses a body over the limit (declared or streamed); adds the security
    headers; logs each request once (id, method, path without query, status, duration);
    answers an unexpected error with a 500 problem, logged once."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: PLR0915
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.replace("-", "").isalnum() else new_id()
        # Content-hashed public assets stay cacheable whatever cookie the browser sends along.
        public_asset = scope["path"].startswith(_PUBLIC_ASSET_PREFIXES)
        private = scope["path"].startswith(_PRIVATE_PREFIXES) or (
            not public_asset and any(name in headers for name in _CREDENTIAL_HEADERS)
        )
        policy = DOCS_SECURITY_HEADERS if scope["path"].startswith(DOCS_PREFIX) else SECURITY_HEADERS
        extra = [*policy, (b"x-request-id", request_id.encode())]
        if private:
            extra.append((b"cache-control", b"no-store"))
        status = 0
        language = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))

        async def send_wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                ours = [*extra, (b"connection", b"close")] if status == 413 else extra
                names = {name for name, _ in ours}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = [*kept, *ours]
            await send(message)

        received = 0

        async def receive_counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLargeError
            return message

        clear_context()
        bind_context(request_id=request_id)
        try:
            length = headers.get(b"content-length", b"0")
            if length.isdigit() and int(length) > self.max_body_bytes:
                await _too_large(send_wrapped, language)
                return
            try:
                await self.app(scope, receive_counted, send_wrapped)
            except BodyTooLargeError:
                if status == 0:
                    await _too_large(send_wrapped, language)
            except (ClientDisconnect, OSError):
                status = status or CLIENT_CLOSED
            except Exception:
                log.exception("unhandled_error", method=scope["method"], path=scope["path"])
                if status == 0:
                    await _problem(send_wrapped, 500, "internal_error", language)
                status = status or 500
        finally:
            log.info(
                "request",
                request_id=request_id,
                method=scope["method"],
                path=scope["path"],
                status=status or CLIENT_CLOSED,
                duration_ms=round((time.perf_counter() - started_at) * 1000, 1),
            )
            clear_context()


async def _too_large(send: Send, language: str) -> None:
    # Connection: close (added on every 413) — the rest of the body is never read.
    await _problem(send, 413, "too_large", language)


async def _problem(send: Send, status: int, code: str, language: str) -> None:
    """A problem the middleware answers itself, before or instead of the app, in `language`."""
    texts = catalogue()[code]
    body = json.dumps(
        {
            "type": f"https://yagona.uz/problems/{code}",
            "title": texts["en"],
            "status": status,
            "code": code,
            "detail": texts[language],
        },
        ensure_ascii=False,
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"content-language", language.encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
