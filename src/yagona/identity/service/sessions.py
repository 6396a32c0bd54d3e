"""Sessions and devices, and the principal a credential proves."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Literal

from pydantic import SecretStr

from yagona.identity import repository, rules
from yagona.identity.credentials import new_token, token_hash
from yagona.identity.errors import (
    InvalidRequestError,
    UnauthenticatedError,
)
from yagona.identity.events import AccessReported, CustomerSignedIn
from yagona.identity.models import (
    Customer,
    Device,
    SignInSession,
)
from yagona.identity.schemas import (
    DeviceInfo,
    ServiceKind,
    SessionRead,
    SignedIn,
)
from yagona.identity.service.common import _audit, _customer, _session_read
from yagona.identity.service.context import IdentityContext
from yagona.kernel.ids import new_id
from yagona.notify import service as notify
from yagona.notify.schemas import Channel
from yagona.notify.schemas import Language as MessageLanguage
from yagona.platform.principals import Principal
from yagona.platform.uow import UnitOfWork


def _sign_in(
    uow: UnitOfWork,
    ctx: IdentityContext,
    holder: Customer,
    methods: list[str],
    device: DeviceInfo | None,
    *,
    phone: str | None = None,
) -> SignedIn:
    now = uow.clock.now()
    device = device or DeviceInfo()
    fingerprint = hashlib.sha256((device.device_id or device.user_agent or "unknown").encode()).hexdigest()
    known = repository.device(uow.session, holder.id, fingerprint)
    new_device = known is None
    if known is None:
        known = Device(
            id=new_id(),
            customer_id=holder.id,
            fingerprint=fingerprint,
            label=rules.device_label(device.user_agent),
            first_seen_at=now,
            last_seen_at=now,
        )
        repository.add(uow.session, known)
        had_devices = len(repository.devices_of(uow.session, holder.id)) > 1
        if had_devices:
            phones = repository.phones_of(uow.session, holder.id)
            notify.queue(
                uow,
                channel=Channel.SMS,
                recipient=phones[0],
                template="identity.new_device",
                language=MessageLanguage(holder.language),
                params={"device": known.label},
                sealer=ctx.messages,
            )
            _audit(uow, "new_device_notified", holder.id, subject=known.id)
    else:
        known.last_seen_at = now
    token = new_token()
    row = SignInSession(
        id=new_id(),
        token_hash=token_hash(token),
        customer_id=holder.id,
        device_id=known.id,
        methods=methods,
        signed_in_phone=phone,
        authenticated_at=now,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=ctx.settings.session_ttl_s),
        revoked_at=None,
    )
    repository.add(uow.session, row)
    _audit(uow, "signed_in", holder.id, subject=row.id, methods=" ".join(methods), ip=device.ip or "-")
    how = " ".join(methods)
    uow.add_event(CustomerSignedIn(occurred_at=now, customer_id=holder.id, methods=how, new_device=new_device))
    return SignedIn(session=_session_read(row, known.label), token=SecretStr(token), new_device=new_device)


def authenticate(uow: UnitOfWork, *, token: str | None) -> SessionRead:
    """The live session a cookie names, or `unauthenticated`."""
    if not token or len(token) > 128:
        raise UnauthenticatedError("sign in first")
    row = repository.session_by_token(uow.session, token_hash(token), uow.clock.now())
    if row is None:
        raise UnauthenticatedError("sign in first")
    return _session_read(row, None, current=True)


def resolve_principal(uow: UnitOfWork, *, session_token: str | None, bearer_token: str | None) -> Principal | None:
    """The customer a session cookie or an OIDC access token proves, with the token's scopes;
    None when neither is live (expired, revoked, its client removed, its customer gone). A
    bearer token wins over a cookie when both are sent."""
    if bearer_token:
        return _bearer_principal(uow, bearer_token)
    if not session_token or len(session_token) > 128:
        return None
    row = repository.session_by_token(uow.session, token_hash(session_token), uow.clock.now())
    if row is None:
        return None
    return _principal(
        uow,
        row.customer_id,
        via="session",
        session_id=row.id,
        scope="",
        methods=tuple(row.methods),
        authenticated_at=row.authenticated_at,
        signed_in_phone=row.signed_in_phone,
    )


def _bearer_principal(uow: UnitOfWork, bearer_token: str) -> Principal | None:
    if len(bearer_token) > 512:
        return None
    token = repository.token_by_access(uow.session, token_hash(bearer_token))
    live = (
        token is not None
        and token.customer_id is not None
        and token.revoked_at is None
        and token.access_expires_at > uow.clock.now()
        and repository.client_record(uow.session, token.client_id) is not None
    )
    if not live or token is None or token.customer_id is None:
        return None
    session = repository.session_by_id(uow.session, token.session_id) if token.session_id else None
    if session is not None and (session.revoked_at is not None or session.customer_id != token.customer_id):
        return None
    return _principal(
        uow,
        token.customer_id,
        via="bearer",
        session_id=token.session_id,
        scope=token.scope,
        methods=tuple(session.methods) if session else (),
        authenticated_at=token.auth_time,
        signed_in_phone=session.signed_in_phone if session else None,
    )


def _principal(
    uow: UnitOfWork,
    customer_id: str,
    *,
    via: Literal["session", "bearer"],
    session_id: str | None,
    scope: str,
    methods: tuple[str, ...],
    authenticated_at: datetime | None,
    signed_in_phone: str | None,
) -> Principal | None:
    customer = repository.customer(uow.session, customer_id)
    if customer is None:
        return None
    lines = [s.reference for s in repository.linked_services(uow.session, customer_id) if s.kind == ServiceKind.MOBILE]
    return Principal(
        customer_id=customer.id,
        phones=tuple(repository.phones_of(uow.session, customer_id)),
        lines=tuple(lines),
        via=via,
        scopes=frozenset(scope.split()),
        session_id=session_id,
        language=customer.language,
        auth_methods=methods,
        authenticated_at=authenticated_at,
        signed_in_phone=signed_in_phone,
    )


def list_sessions(uow: UnitOfWork, *, customer_id: str, current_session_id: str | None = None) -> list[SessionRead]:
    rows = repository.sessions_of(uow.session, customer_id, uow.clock.now(), uow.limits.page_size_max)
    labels = {d.id: d.label for d in repository.devices_of(uow.session, customer_id)}
    return [_session_read(r, labels.get(r.device_id or ""), current=r.id == current_session_id) for r in rows]


def revoke_session(uow: UnitOfWork, *, customer_id: str, session_id: str) -> None:
    """End one session (a customer's own); its OIDC tokens go with it."""
    now = uow.clock.now()
    if repository.revoke_sessions(uow.session, customer_id=customer_id, session_id=session_id, now=now) == 0:
        raise InvalidRequestError("no such live session")
    repository.revoke_tokens(uow.session, now=now, session_id=session_id)
    _audit(uow, "session_revoked", customer_id, subject=session_id)


def report_unauthorised_access(uow: UnitOfWork, *, ctx: IdentityContext, customer_id: str) -> dict[str, int]:
    """Revoke every session and token of the customer at once, and record it."""
    holder = _customer(uow, customer_id)
    now = uow.clock.now()
    sessions = repository.revoke_sessions(uow.session, customer_id=customer_id, now=now)
    tokens = repository.revoke_tokens(uow.session, now=now, customer_id=customer_id)
    _audit(uow, "unauthorised_access_reported", customer_id, sessions=str(sessions), tokens=str(tokens))
    phones = repository.phones_of(uow.session, customer_id)
    if phones:
        notify.queue(
            uow,
            channel=Channel.SMS,
            recipient=phones[0],
            template="identity.access_reported",
            language=MessageLanguage(holder.language),
            params={},
            sealer=ctx.messages,
        )
    uow.add_event(AccessReported(occurred_at=now, customer_id=customer_id))
    return {"sessions_revoked": sessions, "tokens_revoked": tokens}


def revoke_other_sessions(uow: UnitOfWork, *, customer_id: str, keep_session_id: str) -> int:
    """End every live session of the customer but the one asking; their OIDC tokens go too."""
    now = uow.clock.now()
    ended = 0
    for row in repository.sessions_of(uow.session, customer_id, now, uow.limits.page_size_max):
        if row.id != keep_session_id:
            ended += repository.revoke_sessions(uow.session, customer_id=customer_id, session_id=row.id, now=now)
            repository.revoke_tokens(uow.session, now=now, session_id=row.id)
    if ended:
        _audit(uow, "other_sessions_revoked", customer_id, sessions=str(ended))
    return ended
