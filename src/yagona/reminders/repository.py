"""Every query of the reminder engine."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yagona.reminders.models import ReminderLog, ReminderPreference


def sent_between(session: Session, customer_id: str, start: datetime, end: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ReminderLog)
            .where(
                ReminderLog.customer_id == customer_id,
                ReminderLog.status == "sent",
                ReminderLog.at >= start,
                ReminderLog.at < end,
            )
        )
        or 0
    )


def last_sent(session: Session, customer_id: str, rule: str, subject: str) -> datetime | None:
    return session.scalar(
        select(func.max(ReminderLog.at)).where(
            ReminderLog.customer_id == customer_id,
            ReminderLog.rule == rule,
            ReminderLog.subject == subject,
            ReminderLog.status == "sent",
        )
    )


def add(session: Session, row: ReminderLog) -> None:
    session.add(row)


def history(session: Session, customer_id: str, *, limit: int) -> list[ReminderLog]:
    return list(
        session.scalars(
            select(ReminderLog)
            .where(ReminderLog.customer_id == customer_id)
            .order_by(ReminderLog.at.desc(), ReminderLog.id.desc())
            .limit(limit)
        )
    )


def preference(session: Session, customer_id: str) -> ReminderPreference | None:
    return session.get(ReminderPreference, customer_id)


def save_preference(session: Session, row: ReminderPreference) -> None:
    session.merge(row)
