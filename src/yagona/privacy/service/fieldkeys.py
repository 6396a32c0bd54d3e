"""Key rotation of the sealed personal fields (seed 003, 16): birth dates and identity
documents are sealed at rest (`platform.sealing.SealedDate`/`SealedText`, the key's id in
front). To rotate, put the new key first in YAGONA_FIELD_KEYS (`k2:new,k1:old`) and run
`yagona privacy rotate-keys`: every sealed column of every table is re-sealed under the current
key (and rows from before sealing are sealed); then the old key can be dropped."""

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


def rotate_keys(uow: UnitOfWork) -> dict[str, int]:
    """Re-seal under the current key every value sealed under another (or not sealed yet).
    Returns the rows re-sealed per `table.column`; run again, it re-seals nothing."""
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
    return done
