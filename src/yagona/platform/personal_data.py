"""Building blocks of a domain's `personal_data` room (the `PersonalDataProvider` that privacy
declares, docs/personal-data.md). Knows no domain: a domain names its tables, how to find one
customer's rows in each, and which columns are personal; the rows come out as plain dicts.

The contract uses builtins only (customer id, phone numbers, a `mask` callable), so that a
domain below privacy in the DAG (notify, ledger) satisfies it without importing privacy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, String, Table, cast, delete, or_, select, update

from yagona.platform.models import JobRow, OutboxRow
from yagona.platform.uow import UnitOfWork

Rows = list[dict[str, object]]
Where = Callable[[str, frozenset[str]], ColumnElement[bool]]
Mask = Callable[[str, str], str]  # (value, kind) → the keyed pseudonym of privacy


@dataclass(frozen=True)
class Part:
    """One section of a customer's data: the rows of `table` that `where` finds for them."""

    section: str
    table: Table
    where: Where
    personal: tuple[str, ...]  # the personal columns this part answers for
    hidden: tuple[str, ...] = ()  # kept but never shown or exported (hashes, sealed secrets)
    order_by: tuple[str, ...] = field(default=())

    def rows(self, uow: UnitOfWork, customer_id: str, phones: frozenset[str]) -> Rows:
        columns = [c for c in self.table.columns if c.name not in self.hidden]
        query = select(*columns).where(self.where(customer_id, phones))
        if self.order_by:
            query = query.order_by(*(self.table.c[name] for name in self.order_by))
        return [dict(row._mapping) for row in uow.session.execute(query)]


class TableProvider:
    """A provider described by its parts: describe and export read them; `erase` is the
    domain's own (what to pseudonymise, what to delete, what the law keeps)."""

    domain: str = ""
    parts: tuple[Part, ...] = ()

    @property
    def tables(self) -> Mapping[str, tuple[str, ...]]:
        claimed: dict[str, tuple[str, ...]] = {}
        for part in self.parts:
            claimed[part.table.name] = tuple(dict.fromkeys((*claimed.get(part.table.name, ()), *part.personal)))
        return claimed

    def phones(self, uow: UnitOfWork, *, customer_id: str) -> set[str]:
        return set()

    def describe(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str]) -> dict[str, Rows]:
        return self.export(uow, customer_id=customer_id, phones=phones)

    def export(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str]) -> dict[str, Rows]:
        found: dict[str, Rows] = {}
        for part in self.parts:
            found.setdefault(part.section, []).extend(part.rows(uow, customer_id, phones))
        return found

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        raise NotImplementedError

    def purge(self, uow: UnitOfWork, *, purpose: str, before: Any) -> int:
        """Rows past their retention for `purpose` (privacy/data/retention.yaml), deleted or
        pseudonymised; 0 when this domain keeps nothing for that purpose."""
        return 0


def pseudonymise(
    uow: UnitOfWork, table: Table, where: ColumnElement[bool], *, kinds: Mapping[str, str], mask: Mask
) -> int:
    """Replace each column of `kinds` (column → pseudonym kind) by its keyed pseudonym, row
    by row (the pseudonym depends on the value). Empty values stay empty."""
    key = list(table.primary_key.columns)
    names = list(kinds)
    rows = uow.session.execute(select(*key, *(table.c[n] for n in names)).where(where)).all()
    for row in rows:
        values = {
            name: mask(str(row._mapping[name]), kinds[name])
            for name in names
            if row._mapping[name] not in (None, "") and not _is_masked(str(row._mapping[name]))
        }
        if values:
            match = [column == row._mapping[column.name] for column in key]
            uow.session.execute(update(table).where(*match).values(**values))
    return len(rows)


def blank(uow: UnitOfWork, table: Table, where: ColumnElement[bool], **values: object) -> int:
    """Set columns to fixed values (None, an empty list, …) on the rows found."""
    return _count(uow.session.execute(update(table).where(where).values(**values)))


def remove(uow: UnitOfWork, table: Table, where: ColumnElement[bool]) -> int:
    return _count(uow.session.execute(delete(table).where(where)))


_MASKED = re.compile(r"[a-z]_[0-9a-z]{10,20}")


def _is_masked(value: str) -> bool:
    """A value already pseudonymised (`p_0123…`): erasing twice changes nothing."""
    return _MASKED.fullmatch(value) is not None


def mentions(table: Table, columns: tuple[str, ...]) -> Where:
    """Rows whose text or JSON `columns` mention the customer id or one of their phones
    (idempotency keys, job keys, event payloads, free-text references)."""

    def where(customer_id: str, phones: frozenset[str]) -> ColumnElement[bool]:
        needles = [customer_id, *sorted(phones)]
        return or_(*(cast(table.c[c], String).like(f"%{n}%") for c in columns for n in needles))

    return where


def replace_mentions(
    uow: UnitOfWork,
    table: Table,
    columns: tuple[str, ...],
    *,
    phones: frozenset[str],
    mask: Mask,
    customer_id: str = "",
) -> int:
    """Replace each phone mentioned in `columns` (text, or JSON walked value by value) by its
    pseudonym. The customer id stays (it is a random pseudonym already)."""
    if not phones:
        return 0
    swap = {phone: mask(phone, "phone") for phone in phones}
    key = list(table.primary_key.columns)
    where = or_(*(cast(table.c[c], String).like(f"%{p}%") for c in columns for p in sorted(phones)))
    touched = 0
    for row in uow.session.execute(select(*key, *(table.c[c] for c in columns)).where(where)).all():
        values = {c: _swap(row._mapping[c], swap) for c in columns}
        values = {c: v for c, v in values.items() if v != row._mapping[c]}
        if values:
            uow.session.execute(update(table).where(*(k == row._mapping[k.name] for k in key)).values(**values))
            touched += 1
    return touched


def _swap(value: object, swap: Mapping[str, str]) -> object:
    if isinstance(value, str):
        for phone, masked in swap.items():
            value = value.replace(phone, masked)
        return value
    if isinstance(value, dict):
        return {_swap(k, swap): _swap(v, swap) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, swap) for v in value]
    return value


class PlatformPersonalData(TableProvider):
    """The platform's own tables: events in the outbox and due jobs name phones and customer
    ids in their keys and payloads. Erasure replaces the phones there by their pseudonyms;
    purging delivered events is the outbox's own business (not a purpose of processing)."""

    domain = "platform"

    def __init__(self) -> None:
        outbox: Table = OutboxRow.__table__  # type: ignore[assignment]
        job: Table = JobRow.__table__  # type: ignore[assignment]
        self._scrub = ((outbox, ("payload",)), (job, ("key", "payload", "last_error")))
        self.parts = (
            Part("events", outbox, mentions(outbox, ("payload",)), ("payload",), order_by=("seq",)),
            Part("jobs", job, mentions(job, ("key", "payload", "last_error")), ("key", "payload", "last_error")),
        )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        return sum(replace_mentions(uow, t, cols, phones=phones, mask=mask) for t, cols in self._scrub)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
