"""Key rotation of the sealed personal fields (seed 003, 16): birth dates and identity
documents are sealed at rest (`platform.sealing.SealedDate`/`SealedText`, the key's id in
front). To rotate, put the new key first in YAGONA_FIELD_KEYS (`k2:new,k1:old`) and run
`yagona privacy rotate-keys`: every sealed column of every table is re-sealed under the current
key (and rows from before sealing are sealed), and every lookup column (a keyed hash of a sealed
column, `info={"lookup_of": column}`: the PINFL's) is recomputed under it; then the old key can
be dropped."""

from __future__ import annotations

from sqlalchemy import Text, select, type_coerce, update

from yagona.platform.db import metadata
from yagona.platform.sealing import SealedDate, SealedText, field_keys
from yagona.platform.uow import UnitOfWork


def sealed_columns() -> list[tuple[str, str]]:
    """(table, column) of every sealed column the models declare."""
    return [
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, SealedText | SealedDate)
    ]


def lookup_columns() -> list[tuple[str, str, str]]:
    """(table, lookup column, the sealed column it hashes) of every lookup column."""
    return [
        (table.name, column.name, str(column.info["lookup_of"]))
        for table in metadata.sorted_tables
        for column in table.columns
        if "lookup_of" in column.info
    ]


def rotate_keys(uow: UnitOfWork) -> dict[str, int]:
    """Re-seal under the current key every value sealed under another (or not sealed yet),
    and recompute every lookup hash made under another key. Returns the rows changed per
    `table.column`; run again, it changes nothing."""
    ring = field_keys()
    done: dict[str, int] = {}
    for table_name, column_name in sealed_columns():
        table = metadata.tables[table_name]
        column, key = table.c[column_name], list(table.primary_key.columns)
        raw = type_coerce(column, Text).label("stored")
        count = 0
        for row in uow.session.execute(select(*key, raw).where(column.is_not(None))).all():
            stored = row._mapping["stored"]
            if ring.is_current(stored):
                continue
            resealed = type_coerce(ring.seal(ring.open(stored)), Text)
            match = [k == row._mapping[k.name] for k in key]
            uow.session.execute(update(table).where(*match).values({column_name: resealed}))
            count += 1
        done[f"{table_name}.{column_name}"] = count
    for table_name, column_name, source_name in lookup_columns():
        done[f"{table_name}.{column_name}"] = _recompute_lookups(uow, table_name, column_name, source_name)
    return done


def _recompute_lookups(uow: UnitOfWork, table_name: str, column_name: str, source_name: str) -> int:
    ring, table = field_keys(), metadata.tables[table_name]
    key, source, lookup = list(table.primary_key.columns), table.c[source_name], table.c[column_name]
    purpose, count = f"{table_name}.{source_name}", 0
    for row in uow.session.execute(select(*key, source.label("value"), lookup.label("lookup"))).all():
        value, stored = row._mapping["value"], row._mapping["lookup"]
        wanted = None if value is None else ring.lookup(purpose, str(value))
        if stored == wanted or (stored is not None and value is not None and ring.lookup_is_current(stored)):
            continue
        match = [k == row._mapping[k.name] for k in key]
        uow.session.execute(update(table).where(*match).values({column_name: wanted}))
        count += 1
    return count
