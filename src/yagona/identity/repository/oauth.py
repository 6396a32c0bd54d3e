"""The OpenID Connect provider's rows: clients, consents, authorisation codes, tokens (the
token endpoint's hot path as prebuilt Core statements), signing keys, OneID states."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import cast

from sqlalchemy import Table, Text, and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from yagona.identity.models import (
    AuthorizationCode,
    OAuthClient,
    OAuthConsent,
    OAuthToken,
    OneIdState,
    SigningKey,
    SignInSession,
)
from yagona.platform.db import UtcDateTime

CLIENT = cast(Table, OAuthClient.__table__)
TOKEN = cast(Table, OAuthToken.__table__)


# --- OAuth clients and consents ----------------------------------------------------------


def client(session: Session, client_id: str) -> OAuthClient | None:
    row = session.get(OAuthClient, client_id)
    return row if row is not None and row.removed_at is None else None


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """A relying party as the token endpoint reads it. Nothing of it changes after
    registration except `removed_at`, which is why a process may keep one a while (the
    statements that issue tokens check that the client is still registered)."""

    client_id: str
    secret_hash: str | None
    name: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    first_party: bool
    scopes: tuple[str, ...]
    grant_types: tuple[str, ...]


_CLIENT_BY_ID = select(*[CLIENT.c[f.name] for f in fields(ClientRecord)]).where(
    CLIENT.c.client_id == bindparam("client_id"), CLIENT.c.removed_at.is_(None)
)


def client_record(session: Session, client_id: str) -> ClientRecord | None:
    """A registered client (not removed), in one round trip and without the ORM."""
    row = session.connection().execute(_CLIENT_BY_ID, {"client_id": client_id}).first()
    if row is None:
        return None
    cid, secret_hash, name, redirect_uris, post_logout, first_party, scopes, grant_types = row
    return ClientRecord(
        cid, secret_hash, name, tuple(redirect_uris), tuple(post_logout), bool(first_party), tuple(scopes),
        tuple(grant_types),
    )  # fmt: skip


def clients(session: Session, limit: int) -> Sequence[OAuthClient]:
    return session.scalars(
        select(OAuthClient).where(OAuthClient.removed_at.is_(None)).order_by(OAuthClient.created_at).limit(limit)
    ).all()


def oauth_consent(session: Session, customer_id: str, client_id: str) -> OAuthConsent | None:
    return session.get(OAuthConsent, (customer_id, client_id))


# --- authorization codes and tokens ------------------------------------------------------


def consume_authorization_code(
    session: Session, code_hash: str, client_id: str, now: datetime
) -> AuthorizationCode | None:
    """Take a live code once: of parallel attempts, exactly one gets the row."""
    return session.scalars(
        update(AuthorizationCode)
        .where(
            AuthorizationCode.code_hash == code_hash,
            AuthorizationCode.client_id == client_id,
            AuthorizationCode.consumed_at.is_(None),
            AuthorizationCode.expires_at > now,
        )
        .values(consumed_at=now)
        .returning(AuthorizationCode),
        execution_options={"synchronize_session": False},
    ).first()


def authorization_code_by_hash(session: Session, code_hash: str) -> AuthorizationCode | None:
    return session.scalars(select(AuthorizationCode).where(AuthorizationCode.code_hash == code_hash)).first()


def token_by_access(session: Session, access_hash: str) -> OAuthToken | None:
    return session.scalars(select(OAuthToken).where(OAuthToken.access_token_hash == access_hash)).first()


def token_by_refresh(session: Session, refresh_hash: str) -> OAuthToken | None:
    return session.scalars(select(OAuthToken).where(OAuthToken.refresh_token_hash == refresh_hash)).first()


# --- the token endpoint's hot path: prebuilt Core statements, no ORM flush ------------------

# The client must still be registered at the moment the token is written: this is what
# lets the token endpoint authenticate clients from a per-process cache.
_CLIENT_LIVE = exists().where(CLIENT.c.client_id == bindparam("cid"), CLIENT.c.removed_at.is_(None))


@dataclass(frozen=True, slots=True)
class SpentToken:
    """What a refresh grant needs of the token row it spent."""

    id: str
    family_id: str
    client_id: str
    customer_id: str | None
    session_id: str | None
    code_id: str | None
    scope: str
    auth_time: datetime | None
    issued_at: datetime
    access_expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token row about to be written (hashes only; the tokens themselves go to the client)."""

    id: str
    access_token_hash: str
    refresh_token_hash: str | None
    issued_at: datetime
    access_expires_at: datetime
    refresh_expires_at: datetime | None


_SPENT_COLUMNS = [TOKEN.c[f.name] for f in fields(SpentToken)]
_NOW = bindparam("now", type_=UtcDateTime())
_SPEND = (
    update(TOKEN)
    .where(
        TOKEN.c.refresh_token_hash == bindparam("refresh_hash"),
        TOKEN.c.client_id == bindparam("cid"),
        TOKEN.c.refresh_used_at.is_(None),
        TOKEN.c.revoked_at.is_(None),
        TOKEN.c.refresh_expires_at > _NOW,
        _CLIENT_LIVE,
    )
    .values(refresh_used_at=_NOW, revoked_at=_NOW)
    .returning(*_SPENT_COLUMNS)
)
_INSERT_TOKEN = insert(TOKEN)

# PostgreSQL: spend the old row and write its successor in one statement (a data-modifying
# CTE), so a refresh grant is one round trip between BEGIN and COMMIT.
_spent = _SPEND.cte("spent")
_issued = (
    insert(TOKEN)
    .from_select(
        [
            "id",
            "family_id",
            "client_id",
            "customer_id",
            "session_id",
            "code_id",
            "scope",
            "access_token_hash",
            "refresh_token_hash",
            "auth_time",
            "issued_at",
            "access_expires_at",
            "refresh_expires_at",
        ],
        select(
            bindparam("new_id", type_=TOKEN.c.id.type),
            _spent.c.family_id,
            _spent.c.client_id,
            _spent.c.customer_id,
            _spent.c.session_id,
            _spent.c.code_id,
            func.coalesce(bindparam("new_scope", type_=Text()), _spent.c.scope),
            bindparam("access_hash", type_=TOKEN.c.access_token_hash.type),
            bindparam("new_refresh_hash", type_=TOKEN.c.refresh_token_hash.type),
            func.coalesce(_spent.c.auth_time, _spent.c.issued_at),
            _NOW,
            bindparam("new_access_expires_at", type_=UtcDateTime()),
            bindparam("new_refresh_expires_at", type_=UtcDateTime()),
        ).where(_spent.c.customer_id.is_not(None)),
    )
    .returning(TOKEN.c.id)
    .cte("issued")
)
_ROTATE_PG = select(*_spent.c, select(_issued.c.id).scalar_subquery().label("issued_id"))  # fmt: skip


def rotate_refresh_token(
    session: Session, *, refresh_hash: str, client_id: str, scope: str | None, new: NewToken, now: datetime
) -> SpentToken | None:
    """Spend a refresh token once and write its successor in the same family.

    Of parallel attempts exactly one gets the row; the access token that came with it is
    revoked by the same statement (rotation). Nothing happens when the token is unknown,
    spent, revoked or expired, or the client is no longer registered. The successor takes
    `scope` (None: the spent row's), the family, customer, session and code of the spent
    row; a row without a customer gets no successor (the grant refuses it)."""
    params = {
        "refresh_hash": refresh_hash,
        "cid": client_id,
        "now": now,
        "new_id": new.id,
        "new_scope": scope,
        "access_hash": new.access_token_hash,
        "new_refresh_hash": new.refresh_token_hash,
        "new_access_expires_at": new.access_expires_at,
        "new_refresh_expires_at": new.refresh_expires_at,
    }
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        row = connection.execute(_ROTATE_PG, params).first()
        return SpentToken(*row[: len(_SPENT_COLUMNS)]) if row is not None else None
    # SQLite has no data-modifying CTE; its statements do not leave the process.
    row = connection.execute(_SPEND, {"refresh_hash": refresh_hash, "cid": client_id, "now": now}).first()
    if row is None:
        return None
    spent = SpentToken(*row)
    if spent.customer_id is not None:
        connection.execute(
            _INSERT_TOKEN,
            {
                "id": new.id,
                "family_id": spent.family_id,
                "client_id": spent.client_id,
                "customer_id": spent.customer_id,
                "session_id": spent.session_id,
                "code_id": spent.code_id,
                "scope": scope or spent.scope,
                "access_token_hash": new.access_token_hash,
                "refresh_token_hash": new.refresh_token_hash,
                "auth_time": spent.auth_time or spent.issued_at,
                "issued_at": now,
                "access_expires_at": new.access_expires_at,
                "refresh_expires_at": new.refresh_expires_at,
                "refresh_used_at": None,
                "revoked_at": None,
            },
        )
    return spent


_ISSUE_TO_LIVE_CLIENT = insert(TOKEN).from_select(
    [
        "id", "family_id", "client_id", "customer_id", "session_id", "code_id", "scope", "access_token_hash",
        "refresh_token_hash", "auth_time", "issued_at", "access_expires_at", "refresh_expires_at",
    ],
    select(
        bindparam("p_id", type_=TOKEN.c.id.type),
        bindparam("p_family_id", type_=TOKEN.c.family_id.type),
        bindparam("cid", type_=TOKEN.c.client_id.type),
        bindparam("p_customer_id", type_=TOKEN.c.customer_id.type),
        bindparam("p_session_id", type_=TOKEN.c.session_id.type),
        bindparam("p_code_id", type_=TOKEN.c.code_id.type),
        bindparam("p_scope", type_=Text()),
        bindparam("p_access_hash", type_=TOKEN.c.access_token_hash.type),
        bindparam("p_refresh_hash", type_=TOKEN.c.refresh_token_hash.type),
        bindparam("p_auth_time", type_=UtcDateTime()),
        _NOW,
        bindparam("p_access_expires_at", type_=UtcDateTime()),
        bindparam("p_refresh_expires_at", type_=UtcDateTime()),
    ).where(_CLIENT_LIVE),
).returning(TOKEN.c.id)  # fmt: skip


def issue_token(
    session: Session,
    *,
    new: NewToken,
    family_id: str,
    client_id: str,
    customer_id: str | None,
    session_id: str | None,
    code_id: str | None,
    scope: str,
    auth_time: datetime | None,
) -> bool:
    """Write a token row in one statement, only if the client is still registered."""
    result = session.connection().execute(
        _ISSUE_TO_LIVE_CLIENT,
        {
            "p_id": new.id,
            "p_family_id": family_id,
            "cid": client_id,
            "p_customer_id": customer_id,
            "p_session_id": session_id,
            "p_code_id": code_id,
            "p_scope": scope,
            "p_access_hash": new.access_token_hash,
            "p_refresh_hash": new.refresh_token_hash,
            "p_auth_time": auth_time,
            "now": new.issued_at,
            "p_access_expires_at": new.access_expires_at,
            "p_refresh_expires_at": new.refresh_expires_at,
        },
    )
    return result.first() is not None


def revoke_tokens(
    session: Session,
    *,
    now: datetime,
    family_id: str | None = None,
    customer_id: str | None = None,
    session_id: str | None = None,
    code_id: str | None = None,
    token_id: str | None = None,
) -> int:
    conditions = [
        column == value
        for column, value in (
            (OAuthToken.family_id, family_id),
            (OAuthToken.customer_id, customer_id),
            (OAuthToken.session_id, session_id),
            (OAuthToken.code_id, code_id),
            (OAuthToken.id, token_id),
        )
        if value is not None
    ]
    assert conditions, "revoke what? give at least one selector"
    result = session.execute(
        update(OAuthToken)
        .where(or_(*conditions), OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(OAuthToken.id)
    )
    return len(result.all())


# --- signing keys and OneID states -------------------------------------------------------


def signing_keys(session: Session, limit: int = 2) -> Sequence[SigningKey]:
    """The newest keys not retired: the first signs, the others still verify."""
    return session.scalars(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at.desc()).limit(limit)
    ).all()


def retire_old_keys(session: Session, keep: Sequence[str], now: datetime) -> None:
    session.execute(
        update(SigningKey).where(SigningKey.kid.not_in(keep), SigningKey.retired_at.is_(None)).values(retired_at=now)
    )


def consume_oneid_state(session: Session, state_hash: str, now: datetime) -> OneIdState | None:
    found = session.execute(
        update(OneIdState)
        .where(and_(OneIdState.state_hash == state_hash, OneIdState.consumed_at.is_(None), OneIdState.expires_at > now))
        .values(consumed_at=now)
        .returning(OneIdState.state_hash)
    ).scalar()
    return session.get(OneIdState, found) if found is not None else None


def session_by_id(session: Session, session_id: str) -> SignInSession | None:
    return session.get(SignInSession, session_id)
