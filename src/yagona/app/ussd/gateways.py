"""The gateways allowed to call the USSD endpoint. A gateway authenticates with HTTP Basic
`NAME:KEY`; the key is shown once, when the gateway is added, and only its SHA-256 is kept
(a random 256-bit key needs no slow hash)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from yagona.app.ussd.models import UssdGateway
from yagona.kernel.errors import ConflictError, InvalidRequestError, NotFoundError
from yagona.platform.uow import UnitOfWork

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
CREDENTIAL_MAX = 200  # characters of an Authorization header worth reading
_NO_KEY = hashlib.sha256(b"no such gateway").hexdigest()


@dataclass(frozen=True)
class GatewayRead:
    name: str
    active: bool
    created_at: datetime
    disabled_at: datetime | None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def add(uow: UnitOfWork, *, name: str) -> str:
    """A new gateway; returns its key (shown once, never stored)."""
    if not NAME.fullmatch(name):
        raise InvalidRequestError(
            f"{name[:40]!r} is not a gateway name (2-40 of a-z, 0-9, _ and -)", field="name", value=name[:40]
        )
    if uow.session.get(UssdGateway, name) is not None:
        raise ConflictError(f"a gateway {name} exists", name=name)
    key = secrets.token_urlsafe(32)
    uow.session.add(
        UssdGateway(name=name, key_hash=_hash(key), active=True, created_at=uow.clock.now(), disabled_at=None)
    )
    return key


def list_all(uow: UnitOfWork) -> list[GatewayRead]:
    rows = uow.session.scalars(select(UssdGateway).order_by(UssdGateway.name).limit(uow.limits.page_size_max))
    return [GatewayRead(row.name, row.active, row.created_at, row.disabled_at) for row in rows]


def disable(uow: UnitOfWork, *, name: str) -> None:
    """The gateway's key stops working at once."""
    row = uow.session.get(UssdGateway, name)
    if row is None:
        raise NotFoundError(f"no gateway {name}", name=name)
    if row.active:
        row.active, row.disabled_at = False, uow.clock.now()


def authenticate(uow: UnitOfWork, authorization: str | None) -> str | None:
    """The name of the active gateway whose `Basic NAME:KEY` this is, else None. The time
    taken does not tell whether the name exists."""
    if not authorization or len(authorization) > CREDENTIAL_MAX:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        name, separator, key = base64.b64decode(token.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not separator:
        return None
    row = uow.session.get(UssdGateway, name) if NAME.fullmatch(name) else None
    expected = row.key_hash if row is not None else _NO_KEY
    matches = hmac.compare_digest(_hash(key), expected)
    return name if matches and row is not None and row.active else None
