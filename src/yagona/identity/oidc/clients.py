# mypy: disable-error-code="misc,no-any-return,no-untyped-call"
"""Relying parties: registration, listing, removal."""

from __future__ import annotations

from pydantic import SecretStr

from yagona.identity import repository, rules
from yagona.identity import service as identity
from yagona.identity.credentials import new_token, token_hash
from yagona.identity.errors import InvalidRequestError as BadRequestError
from yagona.identity.models import OAuthClient
from yagona.identity.schemas import ClientCreate, ClientCreated, ClientRead
from yagona.platform.uow import UnitOfWork


def _new_client_id() -> str:
    """32 URL-safe characters starting with a letter or a digit: an id that begins with `-`
    reads as an option on the command line (`yagona oidc client remove -x…`)."""
    return "c" + new_token()[:31]


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
        client_id=_new_client_id(),
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
