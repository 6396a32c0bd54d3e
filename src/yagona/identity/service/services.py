"""The services linked to a profile (lines, wallet, home internet, IPTV)."""

from __future__ import annotations

from yagona.identity import repository
from yagona.identity.errors import (
    InvalidRequestError,
    PhoneTakenError,
)
from yagona.identity.events import ServiceLinked
from yagona.identity.models import (
    LinkedService,
)
from yagona.identity.schemas import (
    CustomerRead,
    LinkedServiceRead,
    OtpPurpose,
    ServiceKind,
    VerificationLevel,
)
from yagona.identity.service.common import _audit, _customer
from yagona.identity.service.context import IdentityContext, phone_or_refuse
from yagona.identity.service.customers import get_customer
from yagona.identity.service.signin import _check_otp, _consume
from yagona.kernel.phone import normalise_msisdn
from yagona.platform.uow import UnitOfWork


def link_line(
    uow: UnitOfWork, *, ctx: IdentityContext, customer_id: str, phone: str, code: str, request_id: str | None = None
) -> LinkedServiceRead:
    """Link a mobile line to the profile, after the code sent to that number (purpose `link_line`)."""
    holder = _customer(uow, customer_id)
    phone = phone_or_refuse(phone)
    otp = _check_otp(
        uow, ctx, phone=phone, purpose=OtpPurpose.LINK_LINE, code=code, request_id=request_id, holder=holder
    )
    _consume(uow, otp, phone)
    return link_service(uow, customer_id=customer_id, kind=ServiceKind.MOBILE, reference=phone)


def link_service(uow: UnitOfWork, *, customer_id: str, kind: ServiceKind | str, reference: str) -> LinkedServiceRead:
    """Record that a service account belongs to the customer: lines, the wallet, home
    internet and IPTV call this in their own unit of work once they have connected it for
    the customer (or the customer proved it). `kind` is `mobile`, `wallet`, `home_internet`
    or `iptv`; a mobile line's reference is its MSISDN. Linking the same pair again is a
    no-op; a service linked to another profile is `phone_taken`."""
    try:
        kind = ServiceKind(kind)
    except ValueError:
        raise InvalidRequestError(f"no service kind {kind!r}", field="kind") from None
    _customer(uow, customer_id)
    if kind is ServiceKind.MOBILE:
        reference = phone_or_refuse(reference, field="reference")
    if not 1 <= len(reference) <= 64:
        raise InvalidRequestError("a service reference has 1 to 64 characters", field="reference")
    existing = repository.linked_service(uow.session, kind.value, reference)
    if existing is not None:
        if existing.customer_id != customer_id:
            raise PhoneTakenError("this service belongs to another profile")
        return LinkedServiceRead(kind=kind, reference=reference, linked_at=existing.linked_at)
    now = uow.clock.now()
    repository.add(
        uow.session, LinkedService(customer_id=customer_id, kind=kind.value, reference=reference, linked_at=now)
    )
    _audit(uow, "service_linked", customer_id, subject=f"{kind.value}:{reference}")
    uow.add_event(ServiceLinked(occurred_at=now, customer_id=customer_id, kind=kind.value, reference=reference))
    return LinkedServiceRead(kind=kind, reference=reference, linked_at=now)


def verification_level(uow: UnitOfWork, *, customer_id: str) -> VerificationLevel:
    """Home internet asks for `verified` before it connects."""
    return VerificationLevel(_customer(uow, customer_id).verification_level)


def service_holder(uow: UnitOfWork, *, kind: ServiceKind | str, reference: str) -> CustomerRead | None:
    """The customer who holds a service: a line or a wallet by its number (a profile's phone, or
    a service linked to a profile), home internet or IPTV by its contract; None when nobody
    does (or the reference is not one). For other domains (crm), never for an unauthenticated caller."""
    kind = ServiceKind(kind)
    if kind in (ServiceKind.MOBILE, ServiceKind.WALLET):
        phone = normalise_msisdn(reference)
        if phone is None:
            return None
        holder = repository.customer_by_phone(uow.session, phone)
        if holder is not None:
            return get_customer(uow, customer_id=holder.id)
        reference = phone
    linked = repository.linked_service(uow.session, kind.value, reference[:64])
    return get_customer(uow, customer_id=linked.customer_id) if linked is not None else None
