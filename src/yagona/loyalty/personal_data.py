"""The bonus programme's `PersonalDataProvider` (privacy.service.personal_data): the member
(by number), the numbers joined to it, its lots and entries. Erasure pseudonymises the numbers
(points and their history stay whole: they are the programme's accounts)."""

from __future__ import annotations

from sqlalchemy import Table, or_, select

from yagona.loyalty.models import Alias, Entry, Lot, Member
from yagona.platform.personal_data import Mask, Part, TableProvider, pseudonymise, replace_mentions
from yagona.platform.uow import UnitOfWork

MEMBER: Table = Member.__table__  # type: ignore[assignment]
ALIAS: Table = Alias.__table__  # type: ignore[assignment]
LOT: Table = Lot.__table__  # type: ignore[assignment]
ENTRY: Table = Entry.__table__  # type: ignore[assignment]


def _of_member(table: Table):  # type: ignore[no-untyped-def]
    return lambda _, phones: table.c.member_id.in_(select(MEMBER.c.id).where(MEMBER.c.phone.in_(phones)))


class LoyaltyPersonalData(TableProvider):
    domain = "loyalty"
    parts = (
        Part("member", MEMBER, lambda _, phones: MEMBER.c.phone.in_(phones), ("phone",)),
        Part(
            "aliases",
            ALIAS,
            lambda _, phones: or_(ALIAS.c.phone.in_(phones), ALIAS.c.member_phone.in_(phones)),
            ("phone", "member_phone"),
        ),
        Part("lots", LOT, _of_member(LOT), ()),
        Part("entries", ENTRY, _of_member(ENTRY), ("reference",), order_by=("id",)),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        touched = replace_mentions(uow, ENTRY, ("reference",), phones=phones, mask=mask)
        for column in ("phone", "member_phone"):
            touched += pseudonymise(uow, ALIAS, ALIAS.c[column].in_(phones), kinds={column: "phone"}, mask=mask)
        return touched + pseudonymise(uow, MEMBER, MEMBER.c.phone.in_(phones), kinds={"phone": "phone"}, mask=mask)
