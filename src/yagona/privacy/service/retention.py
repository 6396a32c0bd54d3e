"""Retention per purpose (seed 003, 18: data kept only as long as the purposes need).

The periods are data: the register of purposes (privacy/data/purposes.yaml) where it names a
plain period, else privacy/data/retention.yaml. A daily due job (`privacy.retention`)
asks every registered provider to let go of what it keeps for each purpose past its period,
records the pass (privacy_retention_run) and arms the next day's job."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path

import yaml

from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork
from yagona.privacy.errors import UnknownPurposeError
from yagona.privacy.models import RetentionRun
from yagona.privacy.schemas import RetentionReport
from yagona.privacy.service.personal_data import providers

RETENTION_JOB = "privacy.retention"
_DATA = Path(__file__).resolve().parent.parent / "data"


_UNIT_DAYS = {"D": 1, "M": 30, "Y": 365}


@cache
def retention_periods() -> dict[str, int]:
    """Purpose → days. The register of purposes (purposes.yaml) wins where its `retention` is a
    plain period (P<n>D, P<n>M, P<n>Y); where it runs from the contract's end (`contract+…`),
    the transient records a purpose still leaves behind (codes, sessions) keep retention.yaml's."""
    periods = {str(k): int(v) for k, v in (yaml.safe_load((_DATA / "retention.yaml").read_text()) or {}).items()}
    register = yaml.safe_load((_DATA / "purposes.yaml").read_text()) or {}
    for entry in register.get("purposes", []):
        days = _days(str(entry.get("retention", "")))
        if days is not None and entry["id"] in periods:
            periods[str(entry["id"])] = days
    for purpose, days in periods.items():
        if days < 1:
            raise ValueError(f"privacy retention: {purpose} must keep data at least a day")
    return periods


def _days(period: str) -> int | None:
    if len(period) < 3 or not period.startswith("P") or period[-1] not in _UNIT_DAYS or not period[1:-1].isdigit():
        return None
    return int(period[1:-1]) * _UNIT_DAYS[period[-1]]


def run_retention(uow: UnitOfWork, *, purpose: str | None = None) -> list[RetentionReport]:
    """One pass: for each purpose (or the one named), every provider purges what is older
    than its period. Returns what went, per purpose and domain."""
    periods = retention_periods()
    if purpose is not None and purpose not in periods:
        raise UnknownPurposeError("Unknown purpose.", purpose=purpose)
    now = uow.clock.now()
    reports = []
    for name in [purpose] if purpose is not None else sorted(periods):
        before = now - timedelta(days=periods[name])
        rows = {p.domain: p.purge(uow, purpose=name, before=before) for p in providers()}
        rows = {domain: n for domain, n in rows.items() if n}
        uow.session.add(RetentionRun(purpose=name, before=before, rows=rows, ran_at=now))
        reports.append(RetentionReport(purpose=name, days=periods[name], before=before, rows=rows))
    uow.session.flush()
    return reports


def arm_retention(uow: UnitOfWork) -> bool:
    """Schedule the next daily pass (once per day: the key is the date)."""
    due = uow.clock.now() + timedelta(days=1)
    return jobs.schedule(
        uow.session,
        key=f"{RETENTION_JOB}:{due.date().isoformat()}",
        kind=RETENTION_JOB,
        due_at=due,
        payload={},
        now=uow.clock.now(),
    )
