"""CSRF: a signed double-submit token. The browser holds a random nonce in an HttpOnly
cookie; each form carries HMAC(secret, nonce, session) in its `csrf_token` field (htmx sends
it as `X-CSRF-Token`). A forged cross-site form cannot read the cookie nor compute the
token, and the token dies with the session it was made for (a sign-in or sign-out changes
it). JSON API routes authenticated by a bearer token or the staff key are not forms and do
not use it."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request

from yagona.platform.auth import SESSION_COOKIE

CSRF_COOKIE = "yagona_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NONCE_BYTES = 32
MAX_TOKEN_CHARS = 128


class CsrfRefusedError(Exception):
    """A form came without its token, or with someone else's: 403, said in the visitor's language."""


def _sign(secret: bytes, nonce: str, session: str) -> str:
    session_digest = hashlib.sha256(session.encode()).hexdigest()
    return hmac.new(secret, f"csrf|{nonce}|{session_digest}".encode(), hashlib.sha256).hexdigest()


def nonce_of(request: Request) -> str:
    """The browser's nonce; a fresh one (remembered on the request, set by `render`) when it has none."""
    existing = request.cookies.get(CSRF_COOKIE, "")
    if 16 <= len(existing) <= MAX_TOKEN_CHARS:
        return existing
    fresh: str | None = getattr(request.state, "csrf_new_nonce", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(NONCE_BYTES)
        request.state.csrf_new_nonce = fresh
    return fresh


def token_for(request: Request, secret: bytes) -> str:
    return _sign(secret, nonce_of(request), request.cookies.get(SESSION_COOKIE, ""))


async def check(request: Request, secret: bytes) -> None:
    """Refuse an unsafe request whose token does not match its cookie and session."""
    if request.method in SAFE_METHODS:
        return
    nonce = request.cookies.get(CSRF_COOKIE, "")
    given = request.headers.get(CSRF_HEADER, "")
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        given = value if isinstance(value, str) else ""
    if not (16 <= len(nonce) <= MAX_TOKEN_CHARS) or not given or len(given) > MAX_TOKEN_CHARS:
        raise CsrfRefusedError("the form has no valid CSRF token")
    expected = _sign(secret, nonce, request.cookies.get(SESSION_COOKIE, ""))
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfRefusedError("the form's CSRF token does not match")
