# mypy: disable-error-code="misc,no-any-return,no-untyped-call"
"""authlib's view of identity's rows, and the request and reply adapters.

authlib has no FastAPI integration; `RawRequest` (read once by the route) feeds its
`OAuth2Request`, and replies come back as `Reply` for the route to send.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
    TokenMixin,
)
from authlib.oauth2.rfc6749.util import scope_to_list

from yagona.identity import rules
from yagona.identity.credentials import same, token_hash
from yagona.identity.models import AuthorizationCode, OAuthToken
from yagona.identity.repository import ClientRecord, SpentToken

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
