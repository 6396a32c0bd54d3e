"""Consent is asked at send time: a marketing reminder armed while the customer consented is
not sent once they withdraw (privacy's consent register, read by the reminder engine)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.factories.identity import context, customer
from tests.integration.test_reminders import run_jobs_until, texts
from yagona.app.bootstrap import Container
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.privacy import service as privacy

PHONE = "998901000001"


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "yagona.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_withdrawn_consent_stops_the_next_marketing_reminder(container: Container, clock: SimulatedClock) -> None:
    with container.uow() as uow:
        holder = customer(uow, context(container.settings), PHONE)
        privacy.give_consent(uow, customer_id=holder.id, purpose="marketing", channel="portal")
        lines.connect(uow, msisdn=PHONE, plan_id="lider-plus", deposit=Money.of_som(1_000_000))  # 60 points
        uow.commit()
    # The points-expiring offer is armed now (consent given); the customer withdraws before it is due.
    run_jobs_until(container, clock, datetime(2026, 6, 1, 12, tzinfo=TASHKENT))
    with container.uow() as uow:
        privacy.withdraw_consent(uow, customer_id=holder.id, purpose="marketing", channel="portal")
        uow.commit()
    effects = run_jobs_until(container, clock, datetime(2027, 2, 13, 11, tzinfo=TASHKENT))
    assert [(e["rule"], e["kind"], e.get("reason")) for e in effects] == [
        ("points-expiring", "reminder_skipped", "no_consent")
    ]
    assert texts(container, PHONE) == []
