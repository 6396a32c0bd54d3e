"""What every HTTP router needs from the platform: a unit of work per request and the
request id. Who may call a route: `yagona.platform.auth`."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yagona.kernel.ids import new_id
from yagona.platform.logging import bind_context, clear_context
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    factory: UnitOfWorkFactory = request.app.state.uow_factory
    with factory() as uow:
        yield uow


class RequestContextMiddleware:
    """Gives every request an id (taken from X-Request-Id when sane), binds it to the logs,
    returns it, and refuses bodies over the limit before reading them."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.replace("-", "").isalnum() else new_id()
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await _too_large(send, request_id)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        clear_context()
        bind_context(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            clear_context()


async def _too_large(send: Send, request_id: str) -> None:
    body = (
        b'{"type":"https://yagona.uz/problems/too_large","title":"too large","status":413,'
        b'"code":"too_large","detail":"the request body is too large"}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
