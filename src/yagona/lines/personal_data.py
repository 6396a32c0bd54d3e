"""Lines' `PersonalDataProvider` (privacy.service.personal_data): the customer's lines (their
numbers), calls and messages (the numbers they called), promo subscriptions and fee discounts.
Erasure pseudonymises the numbers; charges stay whole (they are money records)."""

from __future__ import annotations

from sqlalchemy import Table, select

from yagona.lines.models import Bundle, FeeDiscount, Line, Promo, Usage
from yagona.platform.personal_data import Mask, Part, TableProvider, pseudonymise, replace_mentions
from yagona.platform.uow import UnitOfWork

LINE: Table = Line.__table__  # type: ignore[assignment]
BUNDLE: Table = Bundle.__table__  # type: ignore[assignment]
USAGE: Table = Usage.__table__  # type: ignore[assignment]
PROMO: Table = Promo.__table__  # type: ignore[assignment]
DISCOUNT: Table = FeeDiscount.__table__  # type: ignore[assignment]


def _of_lines(table: Table):  # type: ignore[no-untyped-def]
    return lambda _, phones: table.c.line_id.in_(select(LINE.c.id).where(LINE.c.msisdn.in_(phones)))


class LinesPersonalData(TableProvider):
    domain = "lines"
    parts = (
        Part("lines", LINE, lambda _, phones: LINE.c.msisdn.in_(phones), ("msisdn",)),
        Part("bundles", BUNDLE, _of_lines(BUNDLE), ()),
        Part("usage", USAGE, _of_lines(USAGE), ("destination", "record_id"), ("request_hash",), order_by=("id",)),
        Part("promos", PROMO, lambda _, phones: PROMO.c.msisdn.in_(phones), ("msisdn",)),
        Part("fee_discounts", DISCOUNT, _of_lines(DISCOUNT), ("reference",)),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        usage = _of_lines(USAGE)(customer_id, phones)
        touched = pseudonymise(uow, USAGE, usage, kinds={"destination": "phone"}, mask=mask)
        touched += replace_mentions(uow, USAGE, ("record_id",), phones=phones, mask=mask)
        touched += replace_mentions(uow, DISCOUNT, ("reference",), phones=phones, mask=mask)
        touched += pseudonymise(uow, PROMO, PROMO.c.msisdn.in_(phones), kinds={"msisdn": "phone"}, mask=mask)
        return touched + pseudonymise(uow, LINE, LINE.c.msisdn.in_(phones), kinds={"msisdn": "phone"}, mask=mask)
