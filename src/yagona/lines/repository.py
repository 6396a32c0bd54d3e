"""Every query of the lines domain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, delete, or_, select
from sqlalchemy.orm import Session

from yagona.lines.models import Bundle, Line, Promo, Usage


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


def consume(bundles: Sequence[Bundle], taken: dict[str, int]) -> None:
    """Subtract what a use took, earliest-expiring grant first."""
    for key, amount in taken.items():
        left = amount
        for bundle in bundles:
            if bundle.key != key or left == 0:
                continue
            used = min(bundle.remaining, left)
            bundle.remaining -= used
            left -= used
        assert left == 0, f"rated more {key} than the bundles hold"


def burn_plan_bundles(session: Session, line_id: int) -> None:
    """The period ended or restarted: what is left of the plan's bundles burns."""
    session.execute(delete(Bundle).where(Bundle.line_id == line_id, Bundle.origin == "plan"))


def add_bundle(session: Session, bundle: Bundle) -> None:
    session.add(bundle)


def usage_by_record(session: Session, record_id: str) -> Usage | None:
    return session.scalars(select(Usage).where(Usage.record_id == record_id)).first()


def add_usage(session: Session, usage: Usage) -> None:
    session.add(usage)


def promo(session: Session, msisdn: str, promo_id: str) -> Promo | None:
    return session.scalars(
        select(Promo).where(Promo.msisdn == msisdn, Promo.promo_id == promo_id).with_for_update()
    ).first()


def add_promo(session: Session, promo: Promo) -> None:
    session.add(promo)
    session.flush()


def all_msisdns(session: Session) -> list[str]:
    return list(session.scalars(select(Line.msisdn).order_by(Line.msisdn)))
