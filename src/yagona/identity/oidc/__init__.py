"""The OpenID Connect provider: authlib's server side over identity's tables.

Rooms: `models` (authlib's view of the rows, the request/reply adapters), `grants`,
`endpoints` (revocation, introspection, logout), `provider` (the server built per request
around the request's unit of work, tokens, keys, discovery) and `clients` (relying parties).
"""

from yagona.identity.oidc.clients import add_client, list_clients, remove_client
from yagona.identity.oidc.endpoints import basic_credentials_refusal
from yagona.identity.oidc.models import ALGORITHM, CLIENT_CACHE_TTL_S, Client, EndUser, RawRequest, Reply
from yagona.identity.oidc.models import _Request as _Request  # the bench builds one
from yagona.identity.oidc.provider import Provider, discovery, rotate_signing_key

__all__ = [
    "ALGORITHM",
    "CLIENT_CACHE_TTL_S",
    "Client",
    "EndUser",
    "Provider",
    "RawRequest",
    "Reply",
    "add_client",
    "basic_credentials_refusal",
    "discovery",
    "list_clients",
    "remove_client",
    "rotate_signing_key",
]
