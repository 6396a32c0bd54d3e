"""Retention per purpose (seed 003, 18: data kept only as long as the purposes need).

The periods are data: `retention_days` per purpose in privacy/data/purposes.yaml when that
register carries them, else privacy/data/retention.yaml. A daily due job (`privacy.retention`)
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


@cache
def retention_periods() -> dict[str, int]:
    """Purpose → days. The register of purposes wins where it names a period."""
    periods = {str(k): int(v) for k, v in (yaml.safe_load((_DATA / "retention.yaml").read_text()) or {}).items()}
    register = _DATA / "purposes.yaml"
    if register.exists():
        loaded = yaml.safe_load(register.read_text()) or {}
        entries = loaded.get("purposes", loaded) if isinstance(loaded, dict) else loaded
        items = entries.items() if isinstance(entries, dict) else ((e.get("code"), e) for e in entries or [])
        for code, entry in items:
            if isinstance(entry, dict) and entry.get("retention_days") is not None and code:
                periods[str(code).replace("-", "_")] = int(entry["retention_days"])
    for purpose, days in periods.items():
        if days < 1:
            raise ValueError(f"privacy retention: {purpose} must keep data at least a day")
    return periods


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
