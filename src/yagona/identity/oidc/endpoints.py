# mypy: disable-error-code="misc,no-any-return,no-untyped-call"
"""Revocation (RFC 7009), introspection (RFC 7662), RP-initiated logout."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import (
    OAuth2Request,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.rpinitiated import EndSessionEndpoint

from yagona.identity import repository
from yagona.identity import service as identity
from yagona.identity.credentials import token_hash
from yagona.identity.models import OAuthToken
from yagona.identity.oidc.models import ALGORITHM, Client, Reply, Token

if TYPE_CHECKING:
    from yagona.identity.oidc.provider import Provider


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
        # A client learns about its own tokens only; a configured resource server
        # (`YAGONA_IDENTITY_RESOURCE_SERVERS`) about any. Anything else hears `active: false`.
        provider: Provider = self.server
        if client.public:
            return False
        return token.check_client(client) or client.get_client_id() in provider.ctx.settings.resource_servers

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


def basic_credentials_refusal(headers: Mapping[str, str]) -> Reply | None:
    """An `Authorization: Basic …` header that is not base64 of UTF-8 `id:secret` is
    `invalid_client` (401), before authlib (which raises on non-UTF-8) reads it."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if value is None:
        return None
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        decoded = ""
    client_id, colon, _ = decoded.partition(":")
    if colon and client_id:
        return None
    body = {"error": "invalid_client", "error_description": "the client credentials (HTTP Basic) are malformed"}
    return Reply(401, body, [("WWW-Authenticate", 'Basic realm="One ID"'), ("Cache-Control", "no-store")])
