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
# authlib ships no type information: its base classes are Any to mypy (see the first line).

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    InvalidClientError,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.grants.util import create_half_hash
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import SecretStr

from yagona.identity import repository, rules
from yagona.identity import service as identity
from yagona.identity.credentials import new_token, same, token_hash
from yagona.identity.errors import InvalidRequestError as BadRequestError
from yagona.identity.models import AuthorizationCode, OAuthClient, OAuthConsent, OAuthToken, SigningKey
from yagona.identity.repository import ClientRecord, NewToken, SpentToken
from yagona.identity.schemas import ClientCreate, ClientCreated, ClientRead, SessionRead
from yagona.kernel.ids import new_id
from yagona.platform.uow import UnitOfWork

ALGORITHM = "RS256"
# How long a process keeps a client it read (see `Provider.query_client`).
CLIENT_CACHE_TTL_S = 60.0

# authlib writes issued tokens into its DEBUG lines ("Issue token {...}"): never below INFO.
logging.getLogger("authlib").setLevel(logging.INFO)


@dataclass(frozen=True)
class RawRequest:
    """An HTTP request as authlib needs it, read once (the body is async to read)."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class EndUser:
    """Who is signed in at /authorize: the session behind the cookie."""

    customer_id: str
    session_id: str
    auth_time: datetime
    methods: list[str]

    def get_user_id(self) -> str:
        return self.customer_id


# --- authlib models --------------------------------------------------------------------


class Client(ClientMixin):
    def __init__(self, row: ClientRecord) -> None:
        self.row = row
        self.client_id = row.client_id
        self.client_metadata = {"post_logout_redirect_uris": list(row.post_logout_redirect_uris)}

    @property
    def public(self) -> bool:
        return self.row.secret_hash is None

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str:
        return str(self.row.redirect_uris[0])

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        return " ".join(rules.granted_scopes(scope_to_list(scope), self.row.scopes))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact match only (no prefix, no wildcard): the OAuth 2.0 Security BCP.
        return redirect_uri in self.row.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.row.secret_hash is not None and same(self.row.secret_hash, token_hash(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.row.grant_types


class Code(AuthorizationCodeMixin):
    def __init__(self, row: AuthorizationCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return int(self.row.auth_time.timestamp())

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str]:
        return list(self.row.methods)


class Token(TokenMixin):
    def __init__(self, row: OAuthToken | SpentToken, now: datetime) -> None:
        self.row = row
        self.now = now

    def check_client(self, client: Client) -> bool:
        return self.row.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((self.row.access_expires_at - self.row.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.row.access_expires_at <= self.now

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None

    def get_user(self) -> str | None:
        return self.row.customer_id

    def get_client(self) -> None:
        return None


# --- the request adapter ---------------------------------------------------------------


class _Payload(OAuth2Payload):
    def __init__(self, raw: RawRequest) -> None:
        self._data = dict(raw.query) | dict(raw.form)
        datalist: dict[str, list[str]] = {}
        for k, v in [*raw.query, *raw.form]:
            datalist.setdefault(k, []).append(v)
        self._datalist = datalist

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class _Headers(dict[str, str]):
    """HTTP header names are case-insensitive; authlib asks for "Authorization"."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        super().__init__((k.lower(), v) for k, v in headers.items())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


class _Request(OAuth2Request):
    def __init__(self, raw: RawRequest) -> None:
        super().__init__(raw.method, raw.url, headers=_Headers(raw.headers))
        self.payload = _Payload(raw)
        self._args = dict(raw.query)
        self._form = dict(raw.form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


# --- grants and endpoints --------------------------------------------------------------


class S256Required(CodeChallenge):
    """PKCE with S256 for every client, public or confidential; `plain` is refused."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - authlib's class attribute

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: give code_challenge with code_challenge_method=S256")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'")
        super().validate_code_verifier(grant, result)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]  # noqa: RUF012

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        provider: Provider = self.server
        user: EndUser = request.user
        data = request.payload.data
        now = provider.uow.clock.now()
        repository.add(
            provider.uow.session,
            AuthorizationCode(
                id=new_id(),
                code_hash=token_hash(code),
                client_id=request.client.get_client_id(),
                customer_id=user.customer_id,
                session_id=user.session_id,
                redirect_uri=request.payload.redirect_uri or request.client.get_default_redirect_uri(),
                scope=request.scope or "",
                nonce=data.get("nonce"),
                code_challenge=data["code_challenge"],
                code_challenge_method=data.get("code_challenge_method", "S256"),
                auth_time=user.auth_time,
                methods=user.methods,
                created_at=now,
                expires_at=now + timedelta(seconds=provider.ctx.settings.authorization_code_ttl_s),
                consumed_at=None,
            ),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        provider: Provider = self.server
        uow = provider.uow
        now = uow.clock.now()
        row = repository.consume_authorization_code(uow.session, token_hash(code), client.get_client_id(), now)
        if row is not None:
            provider.code_id = row.id
            provider.session_id = row.session_id
            return Code(row)
        spent = repository.authorization_code_by_hash(uow.session, token_hash(code))
        if spent is not None and spent.consumed_at is not None and spent.client_id == client.get_client_id():
            # RFC 6749 §4.1.2: a code used twice revokes what it bought.
            revoked = repository.revoke_tokens(uow.session, now=now, code_id=spent.id)
            identity.audit(uow, kind="authorization_code_reused", customer_id=spent.customer_id, revoked=str(revoked))
            provider.must_commit = True
        return None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        return None  # consumed already, atomically, when it was queried

    def authenticate_user(self, authorization_code: Code) -> EndUser | None:
        row = authorization_code.row
        return EndUser(row.customer_id, row.session_id or "", row.auth_time, list(row.methods))


class _FromCachedClient:
    """For the grants whose writing statement checks that the client is still registered
    (`repository.rotate_refresh_token`, `repository.issue_token`): their client may come
    from the process's cache (`Provider.query_client`). A refusal for another reason is
    checked against the database, so that a removed client still hears `invalid_client`."""

    def authenticate_token_endpoint_client(self) -> Client:
        provider: Provider = self.server  # type: ignore[attr-defined]
        provider.cached_clients = True
        try:
            return super().authenticate_token_endpoint_client()
        finally:
            provider.cached_clients = False

    def validate_token_request(self) -> None:
        try:
            super().validate_token_request()
        except OAuth2Error as error:
            if not isinstance(error, InvalidClientError):
                self.server.check_cached_client(self.request)  # type: ignore[attr-defined]
            raise


class RefreshGrant(_FromCachedClient, grants.RefreshTokenGrant):
    INCLUDE_NEW_REFRESH_TOKEN = True
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]  # noqa: RUF012

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        provider: Provider = self.server
        uow = provider.uow
        now = uow.clock.now()
        client: Client = self.request.client
        # Spend the token and write its successor at once: the successor's secrets are
        # drawn now and handed to authlib when it asks for a token (`Provider._generate_token`).
        token = provider.draw_token(now=now, include_refresh_token=True)
        scope = self.request.payload.scope or None
        used = repository.rotate_refresh_token(
            uow.session,
            refresh_hash=token_hash(refresh_token),
            client_id=client.get_client_id(),
            scope=scope,
            new=token.row,
            now=now,
        )
        if used is not None:
            provider.drawn = token.ready(scope or used.scope)
            return Token(used, now)
        provider.check_cached_client(self.request)  # removed since it was cached: refused as before
        known = repository.token_by_refresh(uow.session, token_hash(refresh_token))
        if (
            known is not None
            and known.client_id == client.get_client_id()
            and (known.refresh_used_at is not None or known.revoked_at is not None)
        ):
            # A refresh token presented twice: one of the two holders is a thief. Revoke the family.
            revoked = repository.revoke_tokens(uow.session, now=now, family_id=known.family_id)
            identity.audit(
                uow,
                kind="refresh_token_reused",
                customer_id=known.customer_id,
                subject=known.family_id,
                revoked=str(revoked),
            )
            provider.must_commit = True
        return None

    def authenticate_user(self, refresh_token: Token) -> EndUser | None:
        row = refresh_token.row
        if row.customer_id is None:
            return None
        provider: Provider = self.server
        provider.family_id = row.family_id
        provider.session_id = row.session_id
        provider.code_id = row.code_id
        auth_time = row.auth_time or row.issued_at
        return EndUser(row.customer_id, row.session_id or "", auth_time, [])

    def revoke_old_credential(self, refresh_token: Token) -> None:
        return None  # revoked with its access token when it was spent (`rotate_refresh_token`)


class ClientCredentialsGrant(_FromCachedClient, grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012


class IdToken(OpenIDCode):
    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return False  # a nonce rides in the code and the ID token; the RP checks it

    def generate_user_info(self, user: EndUser, scope: str) -> UserInfo:
        return UserInfo(self.provider.claims(user.customer_id, scope))

    def encode_id_token(self, token: dict[str, Any], request: OAuth2Request) -> str:
        provider = self.provider
        now = provider.uow.clock.now()
        user: EndUser = request.user
        code: Code = request.authorization_code
        claims: dict[str, Any] = {
            "iss": provider.issuer,
            "aud": request.client.get_client_id(),
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + provider.ctx.settings.id_token_ttl_s,
            "auth_time": int(user.auth_time.timestamp()),
            "amr": code.get_amr(),
            "sid": user.session_id,
        }
        if code.get_nonce():
            claims["nonce"] = code.get_nonce()
        at_hash = create_half_hash(token["access_token"], ALGORITHM)
        if at_hash is not None:
            claims["at_hash"] = at_hash.decode()
        claims.update(self.generate_user_info(user, token["scope"]))
        return provider.sign(claims)


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]  # noqa: RUF012

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.find_token(token_string, token_type_hint)

    def revoke_token(self, token: Token, request: OAuth2Request) -> None:
        provider: Provider = self.server
        now = provider.uow.clock.now()
        assert isinstance(token.row, OAuthToken), "found by `find_token`"
        if token.row.refresh_token_hash == token_hash(request.form["token"]):
            repository.revoke_tokens(provider.uow.session, now=now, family_id=token.row.family_id)
        else:
            repository.revoke_tokens(provider.uow.session, now=now, token_id=token.row.id)
        identity.audit(
            provider.uow, kind="token_revoked", customer_id=token.row.customer_id, client=token.row.client_id
        )


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.find_token(token_string, token_type_hint)

    def check_permission(self, token: Token, client: Client, request: OAuth2Request) -> bool:
        return not client.public  # resource servers are confidential clients

    def introspect_token(self, token: Token) -> dict[str, Any]:
        row = token.row
        return {
            "active": True,
            "client_id": row.client_id,
            "token_type": "Bearer",
            "scope": row.scope,
            "sub": row.customer_id,
            "iss": self.server.issuer,
            "exp": int(row.access_expires_at.timestamp()),
            "iat": int(row.issued_at.timestamp()),
        }


class EndSession(EndSessionEndpoint):
    def get_server_jwks(self) -> dict[str, Any]:
        return self.server.jwks()

    def get_algorithms(self) -> list[str]:
        return [ALGORITHM]

    def end_session(self, end_session_request: Any) -> None:
        provider: Provider = self.server
        provider.end_session(end_session_request.id_token_claims)


# --- the provider ------------------------------------------------------------------------


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


# --- clients -----------------------------------------------------------------------------


def add_client(uow: UnitOfWork, *, client: ClientCreate) -> ClientCreated:
    """Register a relying party; the secret is shown once and stored as a hash."""
    for uri in [*client.redirect_uris, *client.post_logout_redirect_uris]:
        if not uri.startswith(("https://", "http://127.0.0.1", "http://localhost")) or "#" in uri:
            raise BadRequestError(f"redirect URI {uri!r}: https, or http on the loopback, no fragment")
    unknown = set(client.scopes) - set(rules.SCOPES)
    if unknown:
        raise BadRequestError(f"unknown scopes: {', '.join(sorted(unknown))}")
    grant_types = [g for g in client.grant_types if g != "client_credentials" or not client.public]
    secret = None if client.public else new_token()
    row = OAuthClient(
        client_id=new_token()[:32],
        secret_hash=token_hash(secret) if secret else None,
        name=client.name,
        redirect_uris=list(client.redirect_uris),
        post_logout_redirect_uris=list(client.post_logout_redirect_uris),
        first_party=client.first_party,
        scopes=list(client.scopes),
        grant_types=grant_types,
        created_at=uow.clock.now(),
        removed_at=None,
    )
    repository.add(uow.session, row)
    identity.audit(uow, kind="oauth_client_added", customer_id=None, subject=row.client_id)
    return ClientCreated(client=_client_read(row), client_secret=SecretStr(secret) if secret else None)


def list_clients(uow: UnitOfWork) -> list[ClientRead]:
    return [_client_read(r) for r in repository.clients(uow.session, uow.limits.page_size_max)]


def remove_client(uow: UnitOfWork, *, client_id: str) -> None:
    row = repository.client(uow.session, client_id)
    if row is None:
        raise BadRequestError(f"no client {client_id}")
    now = uow.clock.now()
    row.removed_at = now
    identity.audit(uow, kind="oauth_client_removed", customer_id=None, subject=client_id)


def _client_read(row: OAuthClient) -> ClientRead:
    return ClientRead(
        client_id=row.client_id,
        name=row.name,
        redirect_uris=list(row.redirect_uris),
        post_logout_redirect_uris=list(row.post_logout_redirect_uris),
        first_party=row.first_party,
        public=row.secret_hash is None,
        scopes=list(row.scopes),
        grant_types=list(row.grant_types),
        created_at=row.created_at,
    )
