"""Erasure on request (seed 003, 18; product §8) and the legal holds that stop it.

Erasure asks every registered `PersonalDataProvider` to replace the customer's personal fields
by keyed pseudonyms (`privacy.service.pseudonym`; phone columns get its 12-character form) or
delete what no law keeps. Money records (wallet operations, receipts, ledger transfers) stay
whole as the offer (2.16, 7, 10.2) and the law require: only the personal fields in them change,
so `yagona ledger verify` still passes. The customer id stays: it is itself a random pseudonym
and joins the kept money records.

A refusal (someone else's data, a legal hold) writes nothing and is logged."""

from __future__ import annotations

import structlog
from sqlalchemy import select

from yagona.kernel.ids import new_id
from yagona.platform.uow import UnitOfWork
from yagona.privacy.errors import HoldNotFoundError, HoldReferenceRequiredError, LegalHoldError, NotYourDataError
from yagona.privacy.models import Erasure, LegalHold
from yagona.privacy.schemas import ErasureRead, LegalHoldRead
from yagona.privacy.service.access import checked_reason
from yagona.privacy.service.personal_data import own, phones_of, providers
from yagona.privacy.service.pseudonyms import pseudonym, short_pseudonym

log = structlog.get_logger(__name__)

PHONE_KINDS = frozenset({"phone"})  # columns sized for a phone number get the short pseudonym


def mask(value: str, kind: str) -> str:
    """The pseudonym an erasure writes in place of `value`."""
    return short_pseudonym(value, kind=kind) if kind in PHONE_KINDS else pseudonym(value, kind=kind)


def place_hold(
    uow: UnitOfWork, *, customer_id: str, reason: str, placed_by: str, reference: str | None = None
) -> LegalHoldRead:
    """Keep this customer's data (a court order, an investigation, a dispute): erasure refused.
    `reason` is the legal basis (required), `reference` the order's number or case file
    (optional from the CLI; given but blank: `legal_hold_reference_required`)."""
    checked = checked_reason(reason)
    if reference is not None and not reference.strip():
        raise HoldReferenceRequiredError("Give the hold's document reference.", field="reference")
    row = LegalHold(
        id=new_id(),
        customer_id=customer_id,
        reason=checked,
        reference=reference.strip()[:120] if reference else None,
        placed_by=placed_by[:64],
        placed_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    log.info("privacy.hold.placed", customer_id=customer_id, hold_id=row.id, placed_by=placed_by)
    return LegalHoldRead.model_validate(row, from_attributes=True)


def release_hold(uow: UnitOfWork, *, hold_id: str, released_by: str, reason: str | None = None) -> LegalHoldRead:
    """End a hold; the console requires a reason (`reason_required`), the CLI may give one."""
    row = uow.session.get(LegalHold, hold_id)
    if row is None or row.released_at is not None:
        raise HoldNotFoundError("No such active legal hold.", hold_id=hold_id)
    release_reason = None if reason is None else checked_reason(reason)
    row.released_at, row.released_by, row.release_reason = uow.clock.now(), released_by[:64], release_reason
    uow.session.flush()
    log.info("privacy.hold.released", customer_id=row.customer_id, hold_id=row.id, released_by=released_by)
    return LegalHoldRead.model_validate(row, from_attributes=True)


def holds(uow: UnitOfWork, *, customer_id: str | None = None, active_only: bool = True) -> list[LegalHoldRead]:
    query = select(LegalHold).order_by(LegalHold.placed_at, LegalHold.id)
    if customer_id is not None:
        query = query.where(LegalHold.customer_id == customer_id)
    if active_only:
        query = query.where(LegalHold.released_at.is_(None))
    return [LegalHoldRead.model_validate(row, from_attributes=True) for row in uow.session.scalars(query)]


def erase(uow: UnitOfWork, *, customer_id: str, requested_by: str, asked_by: str | None = None) -> ErasureRead:
    """Erase the customer's personal data. `asked_by` is the signed-in customer when the
    customer asks (their own data only); staff pass `requested_by` (their id) and no `asked_by`.
    Refused with `not_your_data` or `legal_hold`, writing nothing; each refusal is logged."""
    try:
        if asked_by is not None:
            own(customer_id=customer_id, asked_by=asked_by)
        _no_hold(uow, customer_id)
    except (LegalHoldError, NotYourDataError) as refusal:
        log.warning(
            "privacy.erasure.refused",
            customer_id=customer_id,
            requested_by=requested_by,
            code=refusal.code,
        )
        raise
    phones = phones_of(uow, customer_id=customer_id)
    counts = {p.domain: p.erase(uow, customer_id=customer_id, phones=phones, mask=mask) for p in providers()}
    row = Erasure(
        id=new_id(), customer_id=customer_id, requested_by=requested_by[:64], rows=counts, erased_at=uow.clock.now()
    )
    uow.session.add(row)
    uow.session.flush()
    log.info("privacy.erasure.done", customer_id=customer_id, requested_by=requested_by, rows=sum(counts.values()))
    return ErasureRead.model_validate(row, from_attributes=True)


def _no_hold(uow: UnitOfWork, customer_id: str) -> None:
    active = holds(uow, customer_id=customer_id)
    if active:
        raise LegalHoldError(
            "The law requires these data kept (a legal hold): they cannot be erased now.", holds=len(active)
        )


def erasures(uow: UnitOfWork, *, customer_id: str) -> list[ErasureRead]:
    query = select(Erasure).where(Erasure.customer_id == customer_id).order_by(Erasure.erased_at)
    return [ErasureRead.model_validate(row, from_attributes=True) for row in uow.session.scalars(query)]
