# mypy: disable-error-code="misc,no-any-return,no-untyped-call"
"""The OpenID Connect provider: authlib's server side over identity's tables.

authlib has no FastAPI integration; `RawRequest` (read once by the route) feeds its
`OAuth2Request`, and replies come back as `Reply` for the route to send. A provider is
built per request around the request's unit of work. Codes and refresh tokens are
consumed by single UPDATE … RETURNING statements; a reused refresh token revokes its
whole family, a reused code the tokens it bought (`must_commit` keeps that revocation
although the answer is an error).

The refresh and client-credentials grants are the hot path: their client comes from a
per-process cache, and one Core statement writes the token, refusing a client removed
meanwhile (on PostgreSQL the refresh grant's spend and its successor are one statement).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    InvalidClientError,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.util import scope_to_list
from joserfc import jwt
from joserfc.jwk import RSAKey

from yagona.identity import repository, rules
from yagona.identity import service as identity
from yagona.identity.credentials import new_token, token_hash
from yagona.identity.models import OAuthConsent, OAuthToken, SigningKey
from yagona.identity.oidc.endpoints import EndSession, Introspection, Revocation
from yagona.identity.oidc.grants import ClientCredentialsGrant, CodeGrant, IdToken, RefreshGrant, S256Required
from yagona.identity.oidc.models import (
    ALGORITHM,
    CLIENT_CACHE_TTL_S,
    Client,
    EndUser,
    Reply,
    Token,
    _Request,
)
from yagona.identity.repository import NewToken
from yagona.identity.schemas import SessionRead
from yagona.kernel.ids import new_id
from yagona.platform.uow import UnitOfWork


@dataclass(frozen=True)
class _Drawn:
    """Fresh tokens (for the client) and their row (hashes only, for the database)."""

    token: dict[str, Any]
    row: NewToken

    def ready(self, scope: str) -> dict[str, Any]:
        self.token["scope"] = scope
        return self.token


class Provider(AuthorizationServer):
    def __init__(
        self, uow: UnitOfWork, ctx: identity.IdentityContext, cookie_session: SessionRead | None = None
    ) -> None:
        super().__init__(scopes_supported=[*rules.SCOPES])
        self.uow = uow
        self.ctx = ctx
        self.cookie_session = cookie_session
        self.must_commit = False
        self.family_id: str | None = None
        self.session_id: str | None = None
        self.code_id: str | None = None
        self.ended_sessions: list[str] = []
        self.cached_clients = False  # see `query_client`
        self.client_from_cache: str | None = None
        self.drawn: dict[str, Any] | None = None  # a token written ahead, for authlib to issue
        self.written: dict[str, Any] | None = None
        self.register_token_generator("default", self._generate_token)
        self.register_grant(CodeGrant, [S256Required(required=True), IdToken(self)])
        self.register_grant(RefreshGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)
        self.register_endpoint(EndSession)

    @property
    def issuer(self) -> str:
        return self.ctx.settings.issuer

    # authlib's hooks ----------------------------------------------------------------

    def query_client(self, client_id: str) -> Client | None:
        """The registered client `client_id`. The refresh and client-credentials grants
        (`cached_clients`) take it from the process's cache for up to `CLIENT_CACHE_TTL_S`:
        a client's record does not change after registration, and the statement that
        writes their token refuses a client removed meanwhile (`client_gone`)."""
        if not client_id or len(client_id) > 64:
            return None
        key = f"client:{client_id}"
        if self.cached_clients:
            held = self.ctx.cache.get(key)
            if held is not None and held[0] > time.monotonic():
                self.client_from_cache = client_id
                return Client(held[1])
        row = repository.client_record(self.uow.session, client_id)
        if row is None:
            self.ctx.cache.pop(key, None)
            return None
        self.ctx.cache[key] = (time.monotonic() + CLIENT_CACHE_TTL_S, row)
        return Client(row)

    def check_cached_client(self, request: OAuth2Request) -> None:
        """Refuse a client taken from the cache that is no longer registered."""
        client_id, self.client_from_cache = self.client_from_cache, None
        if client_id is not None and repository.client_record(self.uow.session, client_id) is None:
            self.client_gone(request, client_id)

    def client_gone(self, request: OAuth2Request, client_id: str) -> None:
        """The client authenticated (perhaps from the cache) but is no longer registered:
        refuse as authlib refuses an unknown client."""
        self.ctx.cache.pop(f"client:{client_id}", None)
        raise InvalidClientError(
            status_code=401 if request.auth_method == "client_secret_basic" else 400,
            description="The client does not exist on this server.",
        )

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return request if isinstance(request, OAuth2Request) else _Request(request)

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("no JSON endpoint is used")

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Reply:
        return Reply(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def _generate_token(
        self,
        *,
        grant_type: str,
        client: Client,
        user: EndUser | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        drawn, self.drawn = self.drawn, None
        if drawn is not None:
            # The refresh grant wrote this token's row when it spent the old one.
            if (
                grant_type != "refresh_token"
                or user is None
                or not include_refresh_token
                or (scope or "") != drawn["scope"]
                or (expires_in or self.ctx.settings.access_token_ttl_s) != drawn["expires_in"]
            ):
                raise RuntimeError("the token written ahead is not the one authlib issues")
            self.written = drawn
            return drawn
        with_refresh = include_refresh_token and user is not None
        fresh = self.draw_token(now=self.uow.clock.now(), expires_in=expires_in, include_refresh_token=with_refresh)
        return fresh.ready(scope or "")

    def draw_token(self, *, now: datetime, expires_in: int | None = None, include_refresh_token: bool) -> _Drawn:
        """New random tokens and the row that stores their hashes."""
        settings = self.ctx.settings
        access, refresh = new_token(), new_token() if include_refresh_token else None
        expires_in = expires_in or settings.access_token_ttl_s
        token: dict[str, Any] = {"token_type": "Bearer", "access_token": access, "expires_in": expires_in, "scope": ""}
        if refresh is not None:
            token["refresh_token"] = refresh
        row = NewToken(
            id=new_id(),
            access_token_hash=token_hash(access),
            refresh_token_hash=token_hash(refresh) if refresh else None,
            issued_at=now,
            access_expires_at=now + timedelta(seconds=int(expires_in)),
            refresh_expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s) if refresh else None,
        )
        return _Drawn(token, row)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        if token is self.written:
            return  # written with the refresh token it replaces
        user: EndUser | None = request.user
        refresh = token.get("refresh_token")
        now = self.uow.clock.now()
        row = NewToken(
            id=new_id(),
            access_token_hash=token_hash(token["access_token"]),
            refresh_token_hash=token_hash(refresh) if refresh else None,
            issued_at=now,
            access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
            refresh_expires_at=now + timedelta(seconds=self.ctx.settings.refresh_token_ttl_s) if refresh else None,
        )
        written = repository.issue_token(
            self.uow.session,
            new=row,
            family_id=self.family_id or new_id(),
            client_id=request.client.get_client_id(),
            customer_id=user.customer_id if user else None,
            session_id=self.session_id or None,
            code_id=self.code_id,
            scope=token.get("scope", ""),
            auth_time=user.auth_time if user else None,
        )
        if not written:
            self.client_gone(request, request.client.get_client_id())

    # ours ---------------------------------------------------------------------------

    def find_token(self, token_string: str, hint: str | None) -> Token | None:
        digest = token_hash(token_string)
        now = self.uow.clock.now()
        row = None
        if hint != "refresh_token":
            row = repository.token_by_access(self.uow.session, digest)
        if row is None and hint != "access_token":
            row = repository.token_by_refresh(self.uow.session, digest)
        return Token(row, now) if row else None

    def bearer(self, authorization: str | None) -> OAuthToken | None:
        """The live access token of an `Authorization: Bearer …` header."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        row = repository.token_by_access(self.uow.session, token_hash(authorization[7:].strip()))
        if row is None or row.revoked_at is not None or row.access_expires_at <= self.uow.clock.now():
            return None
        return row

    def claims(self, customer_id: str, scope: str) -> dict[str, Any]:
        scopes = set(scope_to_list(scope) or [])
        customer = identity.get_customer(self.uow, customer_id=customer_id)
        claims: dict[str, Any] = {"sub": customer.id}
        if "profile" in scopes:
            claims |= {
                "name": customer.name,
                "locale": customer.language.value,
                "verification_level": customer.verification_level.value,
            }
            if customer.birth_date:
                claims["birthdate"] = customer.birth_date.isoformat()
        if "phone" in scopes and customer.phones:
            claims |= {"phone_number": f"+{customer.phones[0]}", "phone_number_verified": True}
        if "email" in scopes and customer.email:
            claims |= {"email": customer.email, "email_verified": False}
        if "services" in scopes:
            claims["services"] = [{"kind": s.kind.value, "reference": s.reference} for s in customer.services]
        return claims

    def needs_consent(self, client: Client, customer_id: str, scope: str) -> bool:
        if client.row.first_party:
            return False
        given = repository.oauth_consent(self.uow.session, customer_id, client.get_client_id())
        return given is None or not set(scope_to_list(scope) or []) <= set(given.scopes)

    def record_consent(self, client: Client, customer_id: str, scope: str) -> None:
        scopes = sorted(set(scope_to_list(scope) or []))
        given = repository.oauth_consent(self.uow.session, customer_id, client.get_client_id())
        now = self.uow.clock.now()
        if given is None:
            repository.add(
                self.uow.session,
                OAuthConsent(customer_id=customer_id, client_id=client.get_client_id(), scopes=scopes, granted_at=now),
            )
        else:
            given.scopes = sorted(set(given.scopes) | set(scopes))
            given.granted_at = now
        identity.audit(self.uow, kind="oauth_consent_given", customer_id=customer_id, client=client.get_client_id())

    def end_session(self, id_token_claims: Mapping[str, Any] | None) -> None:
        now = self.uow.clock.now()
        session = self.cookie_session
        sid = (id_token_claims or {}).get("sid") or (session.id if session else None)
        customer_id = (id_token_claims or {}).get("sub") or (session.customer_id if session else None)
        if not sid or not customer_id:
            return
        repository.revoke_sessions(self.uow.session, customer_id=str(customer_id), session_id=str(sid), now=now)
        repository.revoke_tokens(self.uow.session, now=now, session_id=str(sid))
        identity.audit(self.uow, kind="signed_out", customer_id=str(customer_id), subject=str(sid))
        self.ended_sessions.append(str(sid))

    # keys ---------------------------------------------------------------------------

    def _keys(self) -> list[SigningKey]:
        rows = list(repository.signing_keys(self.uow.session))
        if not rows:
            rows = [rotate_signing_key(self.uow, ctx=self.ctx)]
        return rows

    def sign(self, claims: dict[str, Any]) -> str:
        current = self._keys()[0]
        cache = self.ctx.cache
        key = cache.get(f"key:{current.kid}")
        if key is None:
            key = RSAKey.import_key(self.ctx.sealer.open(current.private_key_sealed))
            cache[f"key:{current.kid}"] = key
        return jwt.encode({"alg": ALGORITHM, "kid": current.kid, "typ": "JWT"}, claims, key, algorithms=[ALGORITHM])

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(row.public_jwk) for row in self._keys()]}


def rotate_signing_key(uow: UnitOfWork, *, ctx: identity.IdentityContext) -> SigningKey:
    """A new signing key; the previous one still verifies (the JWKS publishes both), older
    ones are retired."""
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": ALGORITHM}, private=True)
    kid = key.thumbprint()
    public = {**key.as_dict(private=False), "kid": kid}
    row = SigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        public_jwk=public,
        private_key_sealed=ctx.sealer.seal(key.as_pem(private=True)),
        created_at=uow.clock.now(),
        retired_at=None,
    )
    previous = repository.signing_keys(uow.session, limit=1)
    repository.add(uow.session, row)
    repository.retire_old_keys(uow.session, [kid, *[p.kid for p in previous]], uow.clock.now())
    identity.audit(uow, kind="signing_key_rotated", customer_id=None, subject=kid)
    return row


def discovery(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "userinfo_endpoint": f"{issuer}/oauth/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "end_session_endpoint": f"{issuer}/oauth/logout",
        "scopes_supported": [*rules.SCOPES],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub", "name", "birthdate", "locale", "phone_number", "phone_number_verified", "email",
            "email_verified", "verification_level", "services", "amr", "auth_time", "sid",
        ],
    }  # fmt: skip
