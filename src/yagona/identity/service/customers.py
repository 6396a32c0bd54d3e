"""Customers: sign-up, the profile, documents and marketing consent."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlalchemy import select

from yagona.identity import repository
from yagona.identity.errors import (
    CustomerNotFoundError,
    DocumentsNotAcceptedError,
    PhoneTakenError,
    ProfileFieldError,
)
from yagona.identity.events import CustomerRegistered
from yagona.identity.models import (
    Consent,
    Customer,
    Phone,
)
from yagona.identity.schemas import (
    CURRENT_DOCUMENTS,
    ConsentRead,
    CustomerCreate,
    CustomerRead,
    Language,
    LinkedServiceRead,
    ServiceKind,
    VerificationLevel,
)
from yagona.identity.service.common import _audit, _check_password_strength, _customer
from yagona.identity.service.context import IdentityContext, phone_or_refuse
from yagona.kernel.ids import new_id
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy


def register_customer(uow: UnitOfWork, *, ctx: IdentityContext, customer: CustomerCreate) -> CustomerRead:
    """Create a customer holding `customer.phone`. The offer and the privacy agreement must
    be accepted; the marketing opt-in is separate and optional."""
    phone = phone_or_refuse(customer.phone)
    if not customer.accept_documents:
        raise DocumentsNotAcceptedError("the offer and the privacy agreement must be accepted")
    if repository.phone_row(uow.session, phone) is not None:
        raise PhoneTakenError("this phone number belongs to a customer already")
    password_hash = None
    if customer.password is not None:
        _check_password_strength(ctx, customer.password.get_secret_value(), phone)
        password_hash = ctx.passwords.hash(customer.password.get_secret_value())
    now = uow.clock.now()
    row = Customer(
        id=new_id(),
        name=customer.name,
        birth_date=customer.birth_date,
        email=customer.email,
        language=customer.language.value,
        verification_level=VerificationLevel.BASIC.value,
        pinfl=None,
        password_hash=password_hash,
        pin_hash=None,
        totp_secret_sealed=None,
        totp_enabled=False,
        totp_last_step=0,
        marketing_opt_in=customer.marketing_opt_in,
        created_at=now,
    )
    repository.add(uow.session, row)
    repository.add(uow.session, Phone(phone=phone, customer_id=row.id, is_primary=True, added_at=now))
    for document, version in CURRENT_DOCUMENTS.items():
        uow.session.add(
            Consent(customer_id=row.id, document=document.value, version=version, granted=True, recorded_at=now)
        )
    uow.session.add(
        Consent(
            customer_id=row.id,
            document="marketing",
            version="opt-in",
            granted=customer.marketing_opt_in,
            recorded_at=now,
        )
    )
    privacy.accept_documents(uow, customer_id=row.id, channel="signup")  # the versions published (privacy)
    if customer.marketing_opt_in:
        privacy.give_consent(uow, customer_id=row.id, purpose=privacy.MARKETING, channel="signup")
    _audit(uow, "customer_registered", row.id, subject=phone)
    uow.add_event(CustomerRegistered(occurred_at=now, customer_id=row.id))
    return get_customer(uow, customer_id=row.id)


def get_customer(uow: UnitOfWork, *, customer_id: str) -> CustomerRead:
    row = repository.customer(uow.session, customer_id)
    if row is None:
        raise CustomerNotFoundError("no such customer")
    return CustomerRead(
        id=row.id,
        name=row.name,
        birth_date=row.birth_date,
        phones=repository.phones_of(uow.session, row.id),
        email=row.email,
        language=Language(row.language),
        verification_level=VerificationLevel(row.verification_level),
        totp_enabled=row.totp_enabled,
        marketing_opt_in=row.marketing_opt_in,
        services=[
            LinkedServiceRead(kind=ServiceKind(s.kind), reference=s.reference, linked_at=s.linked_at)
            for s in repository.linked_services(uow.session, row.id)
        ],
        consents=[
            ConsentRead(document=c.document, version=c.version, accepted_at=c.recorded_at)
            for c in repository.consents_of(uow.session, row.id)
            if c.granted
        ],
        created_at=row.created_at,
    )


def find_customer_by_phone(uow: UnitOfWork, *, phone: str) -> CustomerRead | None:
    """For other domains (lines, wallet) and staff tools — never for an unauthenticated caller."""
    row = repository.customer_by_phone(uow.session, phone_or_refuse(phone))
    return get_customer(uow, customer_id=row.id) if row else None


def find_customer_by_email(uow: UnitOfWork, *, email: str) -> CustomerRead | None:
    """The one customer whose profile e-mail this is (a ticket written by e-mail); None when
    nobody's or more than one customer's — never for an unauthenticated caller's eyes."""
    rows = repository.customers_by_email(uow.session, email.strip())
    return get_customer(uow, customer_id=rows[0].id) if len(rows) == 1 else None


def set_marketing_opt_in(uow: UnitOfWork, *, customer_id: str, opt_in: bool, channel: str = "portal") -> CustomerRead:
    """The marketing opt-in; privacy keeps the consent that marketing sends check at send time."""
    row = _customer(uow, customer_id)
    row.marketing_opt_in = opt_in
    privacy.set_consent(uow, customer_id=customer_id, purpose=privacy.MARKETING, given=opt_in, channel=channel)
    uow.session.add(
        Consent(
            customer_id=customer_id,
            document="marketing",
            version="opt-in",
            granted=opt_in,
            recorded_at=uow.clock.now(),
        )
    )
    _audit(uow, "marketing_opt_in_changed", customer_id, opt_in=str(opt_in).lower())
    return get_customer(uow, customer_id=customer_id)


def accept_documents(uow: UnitOfWork, *, customer_id: str) -> CustomerRead:
    """Accept the versions in force (after a new version is published)."""
    _customer(uow, customer_id)
    now = uow.clock.now()
    for document, version in CURRENT_DOCUMENTS.items():
        uow.session.add(
            Consent(customer_id=customer_id, document=document.value, version=version, granted=True, recorded_at=now)
        )
    privacy.accept_documents(uow, customer_id=customer_id, channel="portal")  # the versions published (privacy)
    _audit(uow, "documents_accepted", customer_id)
    return get_customer(uow, customer_id=customer_id)


def set_language(uow: UnitOfWork, *, customer_id: str, language: str) -> CustomerRead:
    """The customer's language: the cabinet's pages and the messages sent to them."""
    row = _customer(uow, customer_id)
    chosen = Language(language)  # an unknown language is a ValueError: callers pass uz/ru/en only
    if row.language != chosen.value:
        row.language = chosen.value
        _audit(uow, "language_changed", customer_id, language=chosen.value)
    return get_customer(uow, customer_id=customer_id)


def documents_to_accept(customer: CustomerRead) -> dict[str, str]:
    """The documents in force (document → version) the customer has not accepted yet."""
    accepted = {(c.document, c.version) for c in customer.consents}
    return {kind.value: version for kind, version in CURRENT_DOCUMENTS.items() if (kind.value, version) not in accepted}


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def correct_profile(uow: UnitOfWork, *, customer_id: str, name: str, email: str | None) -> CustomerRead:
    """The customer corrects what they may themselves (seed 003, 19): the name and the e-mail.
    The phone is changed with a code to the new number (`change_phone`), the PINFL and birth
    date only by the national OneID. An empty e-mail removes it; a bad value changes nothing."""
    row = _customer(uow, customer_id)
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= 200:
        raise ProfileFieldError("A name of 2 to 200 characters.", field="name")
    address = (email or "").strip() or None
    if address is not None and (len(address) > 254 or not _EMAIL.fullmatch(address)):
        raise ProfileFieldError("An e-mail like name@example.uz.", field="email")
    changed = [field for field, old, new in (("name", row.name, cleaned), ("email", row.email, address)) if old != new]
    row.name, row.email = cleaned, address
    if changed:
        _audit(uow, "profile_corrected", customer_id, fields=",".join(changed))
    return get_customer(uow, customer_id=customer_id)


def notice_recipients(uow: UnitOfWork, *, batch: int = 1000) -> Iterator[tuple[str, str, str]]:
    """Every customer as (id, primary phone, language): whom a notice to all is sent to (a
    new version of a document, privacy). Read in batches by id."""
    after = ""
    while True:
        query = (
            select(Customer.id, Phone.phone, Customer.language)
            .join(Phone, (Phone.customer_id == Customer.id) & Phone.is_primary)
            .where(Customer.id > after)
            .order_by(Customer.id)
            .limit(batch)
        )
        rows = uow.session.execute(query).all()
        yield from ((r[0], r[1], r[2]) for r in rows)
        if len(rows) < batch:
            return
        after = rows[-1][0]
