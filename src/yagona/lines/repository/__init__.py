"""Every query of the lines domain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from yagona.lines.models import Bundle, FeeDiscount, Line, Promo, Usage

# --- the rating hot path, in Core (SQLite's; PostgreSQL's in two round trips: rating.py) ----

LINE = cast(Table, Line.__table__)
BUNDLE = cast(Table, Bundle.__table__)
USAGE = cast(Table, Usage.__table__)


@dataclass(frozen=True, slots=True)
class LineRecord:
    id: int
    msisdn: str
    plan_id: str
    status: str
    block_reason: str | None


@dataclass(slots=True)
class BundleRecord:
    id: int
    key: str
    remaining: int


_LINES_FOR_RATING = (
    select(LINE.c.id, LINE.c.msisdn, LINE.c.plan_id, LINE.c.status, LINE.c.block_reason)
    .where(LINE.c.msisdn.in_(bindparam("msisdns", expanding=True)))
    .order_by(LINE.c.id)
    .with_for_update()
)
_LIVE_BUNDLES = (
    select(BUNDLE.c.line_id, BUNDLE.c.id, BUNDLE.c.key, BUNDLE.c.remaining)
    .where(
        BUNDLE.c.line_id.in_(bindparam("line_ids", expanding=True)),
        or_(BUNDLE.c.expires_at.is_(None), BUNDLE.c.expires_at > bindparam("now")),
    )
    .order_by(case((BUNDLE.c.origin == "plan", 0), else_=1), BUNDLE.c.expires_at, BUNDLE.c.id)
)
_SAVE_REMAINING = update(BUNDLE).where(BUNDLE.c.id == bindparam("b_id")).values(remaining=bindparam("left"))
_USAGE_BY_RECORDS = select(USAGE).where(USAGE.c.record_id.in_(bindparam("record_ids", expanding=True)))
_INSERT_USAGES = insert(USAGE)


def lines_for_rating(session: Session, msisdns: Iterable[str]) -> dict[str, LineRecord]:
    """The lines, locked in id order (PostgreSQL) for the rest of the transaction."""
    rows = session.connection().execute(_LINES_FOR_RATING, {"msisdns": sorted(set(msisdns))})
    return {row.msisdn: LineRecord(*row) for row in rows}


def bundles_for_lines(session: Session, line_ids: Iterable[int], now: datetime) -> dict[int, list[BundleRecord]]:
    """Live bundles per line, in the order a use draws on them."""
    found: dict[int, list[BundleRecord]] = defaultdict(list)
    for row in session.connection().execute(_LIVE_BUNDLES, {"line_ids": sorted(set(line_ids)), "now": now}):
        found[row.line_id].append(BundleRecord(row.id, row.key, row.remaining))
    return found


def take(bundles: Sequence[BundleRecord], taken: dict[str, int]) -> dict[int, int]:
    """Subtract what a use took, in the order the bundles are drawn on; returns id → what is left."""
    changed: dict[int, int] = {}
    for key, amount in taken.items():
        left = amount
        for bundle in bundles:
            if bundle.key != key or left == 0 or bundle.remaining == 0:
                continue
            used = min(bundle.remaining, left)
            bundle.remaining -= used
            left -= used
            changed[bundle.id] = bundle.remaining
        assert left == 0, f"rated more {key} than the bundles hold"
    return changed


def save_remaining(session: Session, remaining: dict[int, int]) -> None:
    if remaining:
        session.connection().execute(
            _SAVE_REMAINING, [{"b_id": i, "left": left} for i, left in sorted(remaining.items())]
        )


def usage_rows(session: Session, record_ids: Iterable[str]) -> dict[str, Any]:
    rows = session.connection().execute(_USAGE_BY_RECORDS, {"record_ids": sorted(set(record_ids))})
    return {row.record_id: row for row in rows}


def insert_usages(session: Session, values: list[dict[str, Any]]) -> None:
    if values:
        session.connection().execute(_INSERT_USAGES, values)


# --- the rest, in the ORM -----------------------------------------------------------------


def line_for_update(session: Session, msisdn: str) -> Line | None:
    """The line, locked for the rest of the transaction (PostgreSQL; SQLite serialises writers)."""
    return session.scalars(select(Line).where(Line.msisdn == msisdn).with_for_update()).first()


def line(session: Session, msisdn: str) -> Line | None:
    return session.scalars(select(Line).where(Line.msisdn == msisdn)).first()


def add_line(session: Session, line: Line) -> None:
    session.add(line)
    session.flush()


def live_bundles(session: Session, line_id: int, now: datetime) -> Sequence[Bundle]:
    """Bundles not yet expired, in the order a use draws on them."""
    return session.scalars(
        select(Bundle)
        .where(Bundle.line_id == line_id, or_(Bundle.expires_at.is_(None), Bundle.expires_at > now))
        # The plan's own bundles first (a package's minutes come after them), then what expires first.
        .order_by(case((Bundle.origin == "plan", 0), else_=1), Bundle.expires_at, Bundle.id)
    ).all()


def remaining_by_key(bundles: Sequence[Bundle]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for bundle in bundles:
        totals[bundle.key] += bundle.remaining
    return dict(totals)


def burn_plan_bundles(session: Session, line_id: int) -> None:
    """The period ended or restarted: what is left of the plan's bundles burns."""
    session.execute(delete(Bundle).where(Bundle.line_id == line_id, Bundle.origin == "plan"))


def add_bundle(session: Session, bundle: Bundle) -> None:
    session.add(bundle)


def promo(session: Session, msisdn: str, promo_id: str) -> Promo | None:
    return session.scalars(
        select(Promo).where(Promo.msisdn == msisdn, Promo.promo_id == promo_id).with_for_update()
    ).first()


def add_promo(session: Session, promo: Promo) -> None:
    session.add(promo)
    session.flush()


def all_msisdns(session: Session) -> list[str]:
    return list(session.scalars(select(Line.msisdn).order_by(Line.msisdn)))


def usage_page(session: Session, line_id: int, *, kind: str | None, before: int | None, limit: int) -> list[Usage]:
    """A line's rated uses, newest first; `before` is the id the previous page ended at."""
    query = select(Usage).where(Usage.line_id == line_id)
    if kind is not None:
        query = query.where(Usage.kind == kind)
    if before is not None:
        query = query.where(Usage.id < before)
    return list(session.scalars(query.order_by(Usage.id.desc()).limit(limit)))


def promos(session: Session, msisdn: str) -> list[Promo]:
    return list(session.scalars(select(Promo).where(Promo.msisdn == msisdn).order_by(Promo.id)))


def open_fee_discount(session: Session, line_id: int) -> FeeDiscount | None:
    """The oldest unused fee discount of the line (the bonus programme's reward), locked."""
    return session.scalars(
        select(FeeDiscount)
        .where(FeeDiscount.line_id == line_id, FeeDiscount.used_at.is_(None))
        .order_by(FeeDiscount.id)
        .with_for_update()
    ).first()


def add_fee_discount(session: Session, discount: FeeDiscount) -> None:
    session.add(discount)
    session.flush()
