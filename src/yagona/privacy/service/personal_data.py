"""The customer's own data (seed 003, 4, 5, 19; product §8): every domain that keeps personal
data registers a `PersonalDataProvider` (its `personal_data` room) at the composition root;
privacy asks all of them, so a new domain cannot forget its data — a test fails when a
table with personal columns is claimed by no provider (tests/integration/test_personal_data.py).

Privacy sits low in the DAG and knows no domain: it declares the protocol and runs the
registered providers. The protocol speaks in builtins (a customer id, phone numbers, a `mask`
callable), so a domain below privacy (notify, ledger) implements it without importing it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from yagona.platform.personal_data import Mask, Rows
from yagona.platform.uow import UnitOfWork
from yagona.privacy.errors import NotYourDataError


class PersonalDataProvider(Protocol):
    """What a domain holds about a customer, and how it forgets it."""

    domain: str

    @property
    def tables(self) -> Mapping[str, tuple[str, ...]]:
        """Table → its personal columns this provider answers for (the audit reads it)."""
        ...

    def phones(self, uow: UnitOfWork, *, customer_id: str) -> set[str]:
        """Phone numbers this domain ties to the customer (their lines, wallets, chats)."""
        ...

    def describe(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str]) -> dict[str, Rows]:
        """Sections (name → rows) the portal shows the customer."""
        ...

    def export(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str]) -> dict[str, Rows]:
        """Every row held about the customer (secrets such as hashes left out)."""
        ...

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        """Replace personal fields by pseudonyms (`mask(value, kind)`) or delete what no law
        keeps; money records stay whole. Returns the rows touched."""
        ...

    def purge(self, uow: UnitOfWork, *, purpose: str, before: datetime) -> int:
        """Rows kept for `purpose` older than `before`: deleted or pseudonymised."""
        ...


_providers: list[PersonalDataProvider] = []


def register(*providers: PersonalDataProvider) -> None:
    """The composition root registers every domain's provider (once; again replaces)."""
    known = {p.domain for p in providers}
    _providers[:] = [p for p in _providers if p.domain not in known] + list(providers)


def providers() -> list[PersonalDataProvider]:
    return list(_providers)


def coverage() -> dict[str, dict[str, tuple[str, ...]]]:
    """Domain → table → personal columns: what the registered providers claim."""
    return {p.domain: dict(p.tables) for p in _providers}


@dataclass(frozen=True)
class Section:
    """One part of a customer's data: `domain.section` and its rows as JSON-ready dicts."""

    domain: str
    name: str
    rows: list[dict[str, object]]

    @property
    def key(self) -> str:
        return f"{self.domain}.{self.name}"


def own(*, customer_id: str, asked_by: str) -> str:
    """A customer acts on their own data only (`not_your_data` otherwise)."""
    if customer_id != asked_by:
        raise NotYourDataError("You may see, export or erase only your own data.")
    return customer_id


def phones_of(uow: UnitOfWork, *, customer_id: str) -> frozenset[str]:
    """Every phone number any domain ties to the customer."""
    found: set[str] = set()
    for provider in _providers:
        found |= provider.phones(uow, customer_id=customer_id)
    return frozenset(found)


def describe(uow: UnitOfWork, *, customer_id: str) -> list[Section]:
    """What the portal shows: every provider's sections, empty ones left out."""
    return _collect(uow, customer_id, full=False)


def export(uow: UnitOfWork, *, customer_id: str) -> list[Section]:
    """Everything held about the customer, section by section."""
    return _collect(uow, customer_id, full=True)


def archive(sections: Sequence[Section], *, customer_id: str, generated_at: datetime) -> bytes:
    """A zip: `data.json` (every section) and one CSV per section, UTF-8."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        whole = {
            "customer_id": customer_id,
            "generated_at": generated_at.isoformat(),
            "sections": {s.key: s.rows for s in sections},
        }
        zipped.writestr("data.json", json.dumps(whole, ensure_ascii=False, indent=1))
        for section in sections:
            zipped.writestr(f"{section.key}.csv", _csv(section.rows))
    return buffer.getvalue()


def _collect(uow: UnitOfWork, customer_id: str, *, full: bool) -> list[Section]:
    phones = phones_of(uow, customer_id=customer_id)
    sections = []
    for provider in _providers:
        read = provider.export if full else provider.describe
        for name, rows in read(uow, customer_id=customer_id, phones=phones).items():
            if rows:
                sections.append(Section(provider.domain, name, [_plain(row) for row in rows]))
    return sections


def _plain(row: Mapping[str, object]) -> dict[str, object]:
    return {key: _value(value) for key, value in row.items()}


def _value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict | list) or value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _csv(rows: list[dict[str, object]]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in row.items()}
        )
    return out.getvalue()
