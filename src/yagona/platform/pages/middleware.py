"""Two ASGI middlewares for every response: compression and the security headers."""

from __future__ import annotations

import gzip

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yagona.platform.pages.assets import COMPRESSIBLE, accepted_encoding

# Everything from this site, nothing inline: no inline script, style or event handler.


class CompressionMiddleware:
    """Brotli (preferred) or gzip for text responses the client accepts, from `minimum_bytes`.
    A response that is already encoded (a precompressed static asset) passes untouched; one
    that grows past `maximum_bytes` is sent as it is (no unbounded buffer)."""

    def __init__(self, app: ASGIApp, *, minimum_bytes: int = 512, maximum_bytes: int = 4 * 1024 * 1024) -> None:
        self.app = app
        self.minimum_bytes = minimum_bytes
        self.maximum_bytes = maximum_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoding = accepted_encoding(Headers(scope=scope).get("accept-encoding", ""))
        if encoding is None:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False

        async def compressing_send(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                kind = headers.get("content-type", "")
                streaming = kind.startswith("text/event-stream")  # each event must leave at once
                if "content-encoding" in headers or streaming or not kind.startswith(COMPRESSIBLE):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body: bytes = message.get("body", b"")
            chunks.append(body)
            size += len(body)
            more = bool(message.get("more_body", False))
            if more and size <= self.maximum_bytes:
                return
            whole = b"".join(chunks)
            if more or size < self.minimum_bytes:
                # Too large to hold, or too small to gain: as it is.
                passing = True
                await send(start)
                await send({"type": "http.response.body", "body": whole, "more_body": more})
                return
            packed = brotli.compress(whole, quality=5) if encoding == "br" else gzip.compress(whole, compresslevel=6)
            headers = MutableHeaders(raw=start["headers"])
            headers["Content-Encoding"] = encoding
            headers["Content-Length"] = str(len(packed))
            headers.add_vary_header("Accept-Encoding")
            await send(start)
            await send({"type": "http.response.body", "body": packed, "more_body": False})

        await self.app(scope, receive, compressing_send)


class SecurityHeadersMiddleware:
    """What pages add to the platform's headers (the strict CSP, no framing, nosniff and the
    referrer policy come from `yagona.platform.web` on every response): on HTML, the opener
    and permissions policies; HSTS in production."""

    def __init__(self, app: ASGIApp, *, strict_transport: bool = False) -> None:
        self.app = app
        self.strict_transport = strict_transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=message["headers"])
                if self.strict_transport:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
            await send(message)

        await self.app(scope, receive, send_with_headers)
