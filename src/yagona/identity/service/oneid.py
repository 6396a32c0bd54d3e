"""The national OneID round trip (e-government identity verification)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from yagona.identity import repository
from yagona.identity.credentials import new_token, token_hash
from yagona.identity.errors import (
    InvalidRequestError,
    OneIdStateError,
    PhoneTakenError,
    RegistrationRequiredError,
)
from yagona.identity.events import CustomerVerified
from yagona.identity.models import (
    OneIdState,
)
from yagona.identity.schemas import (
    CustomerRead,
    DeviceInfo,
    OneIdProfile,
    SignedIn,
    VerificationLevel,
)
from yagona.identity.service.common import _audit, _customer
from yagona.identity.service.context import IdentityContext
from yagona.identity.service.customers import get_customer
from yagona.identity.service.sessions import _sign_in
from yagona.platform.uow import UnitOfWork

ONEID_STATE_TTL_S = 600


@dataclass(frozen=True)
class OneIdStart:
    """A OneID round trip begun: `state` goes to OneID in the URL; `browser_key` goes to
    the starting browser only (an HttpOnly cookie) and must come back with the state."""

    state: str
    browser_key: str


def _state_hash(state: str, browser_key: str) -> str:
    # Both are 256 random bits; the row is found only with the pair: a state is bound to
    # the browser that started it (OneID has no nonce: the browser key plays that part).
    return token_hash(f"{state}:{browser_key}")


def begin_oneid(uow: UnitOfWork, *, ctx: IdentityContext, customer_id: str | None) -> OneIdStart:
    """A random `state` for a OneID round trip, bound to the starting browser's key and to
    the customer signed in there (None for a sign-in); stored as a hash, used once."""
    state, browser_key = new_token(), new_token()
    now = uow.clock.now()
    repository.add(
        uow.session,
        OneIdState(
            state_hash=_state_hash(state, browser_key),
            customer_id=customer_id,
            created_at=now,
            expires_at=now + timedelta(seconds=ONEID_STATE_TTL_S),
            consumed_at=None,
        ),
    )
    return OneIdStart(state=state, browser_key=browser_key)


def take_oneid_state(
    uow: UnitOfWork, *, state: str | None, browser_key: str | None, signed_in_customer: str | None
) -> str | None:
    """Consume a state presented by the browser that started it; returns the customer who
    started it (None for a sign-in). `oneid_state_invalid` for a state that is unknown,
    expired, used, or comes back in another browser (no key, another key), or when the
    round trip began for a customer who is no longer the one signed in here."""
    if not state or not browser_key or len(state) > 128 or len(browser_key) > 128:
        raise OneIdStateError("the OneID answer does not belong to this browser's sign-in; start again")
    row = repository.consume_oneid_state(uow.session, _state_hash(state, browser_key), uow.clock.now())
    if row is None:
        raise OneIdStateError("the OneID answer does not belong to this browser's sign-in; start again")
    if row.customer_id is not None and row.customer_id != signed_in_customer:
        raise OneIdStateError("the OneID answer does not belong to this browser's sign-in; start again")
    return row.customer_id


def apply_oneid_profile(
    uow: UnitOfWork, *, ctx: IdentityContext, customer_id: str | None, profile: OneIdProfile, device: DeviceInfo | None
) -> tuple[CustomerRead, SignedIn | None]:
    """Link the person (PINFL) to the customer who started the round trip and raise the
    verification level; with no customer, sign in the customer linked to that PINFL."""
    if not profile.valid:
        raise InvalidRequestError("OneID says this identity is not valid")
    linked = repository.customer_by_pinfl(uow.session, profile.pin)
    now = uow.clock.now()
    if customer_id is None:
        if linked is None:
            raise RegistrationRequiredError("no customer is linked to this OneID yet: sign in and verify first")
        return get_customer(uow, customer_id=linked.id), _sign_in(uow, ctx, linked, ["oneid"], device)
    holder = _customer(uow, customer_id)
    if linked is not None and linked.id != holder.id:
        raise PhoneTakenError("this OneID identity is linked to another customer")
    repository.set_pinfl(holder, profile.pin)
    holder.verification_level = VerificationLevel.VERIFIED.value
    if profile.birth_date and holder.birth_date is None:
        holder.birth_date = profile.birth_date
    _audit(uow, "oneid_verified", holder.id)
    uow.add_event(CustomerVerified(occurred_at=now, customer_id=holder.id, level=VerificationLevel.VERIFIED.value))
    return get_customer(uow, customer_id=holder.id), None
