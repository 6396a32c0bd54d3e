"""The synthetic operator: the same seed gives the same population, its customer care
included (tickets, CSAT and NPS answers); a population beyond the machine is refused with an
estimate."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from yagona.app.bootstrap import bootstrap
from yagona.app.population import care, runner
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.errors import InvalidRequestError
from yagona.ledger import service as ledger
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

START = datetime(2026, 9, 1, tzinfo=TASHKENT)


def _population(
    template: Path, path: Path, *, seed: int, customers: int = 12, days: int = 9, mix: care.CareMix | None = None
) -> tuple[runner.PopulationReport, dict[str, object], dict[str, list[tuple[str, ...]]]]:
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        clock = SimulatedClock(START)
        settings = Settings(env="test", database={"url": url}, bus={"defer": True})  # type: ignore[arg-type]
        container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
        report = runner.generate(
            container, clock, customers=customers, days=days, seed=seed, care_mix=mix or care.CareMix()
        )
        lines: dict[str, object] = dict(runner.summary(container))
        return report, lines, care.summary(container, sorted(lines))
    finally:
        engine.dispose()


def test_the_same_seed_gives_the_same_population(sqlite_template: Path, tmp_path: Path) -> None:
    first, first_lines, _ = _population(sqlite_template, tmp_path / "a.db", seed=7)
    second, second_lines, _ = _population(sqlite_template, tmp_path / "b.db", seed=7)
    assert first == second
    assert first_lines == second_lines
    assert len(first_lines) == 12 and first.records > 100 and first.topups > 0
    _other, other_lines, _ = _population(sqlite_template, tmp_path / "c.db", seed=8)
    assert other_lines != first_lines


def test_the_same_seed_gives_the_same_customer_care(sqlite_template: Path, tmp_path: Path) -> None:
    """Past a month of service the relationship NPS is asked (crm's daily job); resolved
    tickets are asked CSAT; customers answer through the link, detractors open crm's follow-up
    ticket. A generous mix, so that a dozen customers in 35 days show every kind of it."""
    mix = care.CareMix(ticket_share=0.012, answers=3.0)
    first, first_lines, first_care = _population(
        sqlite_template, tmp_path / "a.db", seed=3, customers=12, days=35, mix=mix
    )
    second, second_lines, second_care = _population(
        sqlite_template, tmp_path / "b.db", seed=3, customers=12, days=35, mix=mix
    )
    assert first == second and first_lines == second_lines
    assert first_care == second_care
    rows = [row for found in first_care.values() for row in found]
    tickets = [row for row in rows if row[0] == "ticket"]
    assert first.care.tickets > 0 and {row[1] for row in tickets} >= {"portal", "telegram"}
    assert any(row[4] == "resolved" for row in tickets) and first.care.resolved > 0
    answered = {row[1] for row in rows if row[0] == "survey" and row[3] == "answered"}
    assert {"csat", "nps"} <= answered, rows
    assert first.care.answers.get("nps", 0) > 0 and first.care.answers.get("csat", 0) > 0
    # Every detractor's answer opened a complaint ticket of its own.
    complaints = [row for row in tickets if row[2] == "complaint"]
    assert len(complaints) >= first.care.detractors


def test_a_population_beyond_the_machine_is_refused_with_an_estimate() -> None:
    with pytest.raises(InvalidRequestError, match=r"beyond this machine: about .* hours"):
        runner.check_size(100_000_000, 90)
    runner.check_size(10_000, 90)


def test_the_population_and_its_care_on_each_backend(database_url: str) -> None:
    """SQLite and PostgreSQL alike: tickets, CSAT and NPS answers through crm's use cases, and
    money neither created nor lost (the ledger verifies)."""
    engine = make_engine(database_url)
    try:
        clock = SimulatedClock(START)
        settings = Settings(env="test", database={"url": database_url}, bus={"defer": True})
        container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
        mix = care.CareMix(ticket_share=0.012, answers=3.0)
        report = runner.generate(container, clock, customers=12, days=35, seed=3, care_mix=mix)
        assert report.care.tickets > 0 and report.care.resolved > 0
        assert report.care.answers.get("nps", 0) > 0 and report.care.answers.get("csat", 0) > 0
        with container.uow() as uow:
            verified = ledger.verify(uow)
        assert verified.ok, verified.problems
    finally:
        engine.dispose()
