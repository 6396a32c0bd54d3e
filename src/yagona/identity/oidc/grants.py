# mypy: disable-error-code="misc,no-any-return,no-untyped-call"
"""The grants: authorisation code (PKCE S256 required), refresh (rotation, reuse
detection), client credentials, and the ID token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import (
    InvalidClientError,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.grants.util import create_half_hash

from yagona.identity import repository
from yagona.identity import service as identity
from yagona.identity.credentials import token_hash
from yagona.identity.models import AuthorizationCode
from yagona.identity.oidc.models import ALGORITHM, Client, Code, EndUser, Token
from yagona.kernel.ids import new_id

if TYPE_CHECKING:
    from yagona.identity.oidc.provider import Provider


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
            # Spent now, whatever follows: a failed PKCE check (or any other refusal of this
            # exchange) must not leave the code for a second try (RFC 6749 §4.1.2, RFC 7636).
            provider.must_commit = True
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
