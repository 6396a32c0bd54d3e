"""Disclosures to state bodies (agreement 15: only on a legal basis, in the order the law
sets). Each is recorded with the requesting body, the legal basis, the request's document
reference, what was given and by whom; auditors see them all; the customer sees theirs
unless `secret` says the law forbids telling them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from yagona.kernel.ids import new_id
from yagona.platform.uow import UnitOfWork
from yagona.privacy.errors import DisclosureIncompleteError
from yagona.privacy.models import Disclosure


@dataclass(frozen=True)
class DisclosureRead:
    id: str
    customer_id: str
    body: str
    legal_basis: str
    reference: str
    given: str
    staff_id: str
    secret: bool
    disclosed_at: datetime


def _read(row: Disclosure) -> DisclosureRead:
    return DisclosureRead(
        row.id,
        row.customer_id,
        row.body,
        row.legal_basis,
        row.reference,
        row.given,
        row.staff_id,
        row.secret,
        row.disclosed_at,
    )


def record_disclosure(
    uow: UnitOfWork,
    *,
    customer_id: str,
    body: str,
    legal_basis: str,
    reference: str,
    given: str,
    staff_id: str,
    secret: bool = False,
) -> DisclosureRead:
    """Record what was given to whom on which basis; an incomplete record is refused."""
    fields = {"body": body, "legal_basis": legal_basis, "reference": reference, "given": given}
    cleaned = {k: " ".join(v.split()) for k, v in fields.items()}
    missing = next((k for k, v in cleaned.items() if len(v) < 2), None)
    if missing is not None:
        raise DisclosureIncompleteError(f"the disclosure needs its {missing}", field=missing)
    row = Disclosure(
        id=new_id(),
        customer_id=customer_id,
        body=cleaned["body"][:200],
        legal_basis=cleaned["legal_basis"][:300],
        reference=cleaned["reference"][:120],
        given=cleaned["given"][:2000],
        staff_id=staff_id,
        secret=secret,
        disclosed_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    return _read(row)


def disclosures_of(uow: UnitOfWork, *, customer_id: str, for_customer: bool) -> list[DisclosureRead]:
    """A customer's disclosures, newest first; what the customer is shown leaves out the secret ones."""
    query = select(Disclosure).where(Disclosure.customer_id == customer_id)
    if for_customer:
        query = query.where(Disclosure.secret.is_(False))
    return [_read(r) for r in uow.session.scalars(query.order_by(Disclosure.disclosed_at.desc())).all()]


def all_disclosures(uow: UnitOfWork, *, limit: int = 100) -> list[DisclosureRead]:
    """Every disclosure, newest first: for auditors."""
    query = select(Disclosure).order_by(Disclosure.disclosed_at.desc()).limit(max(1, min(limit, 500)))
    return [_read(r) for r in uow.session.scalars(query).all()]
