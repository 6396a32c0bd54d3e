"""The synthetic operator: the same seed gives the same population; a population beyond the
machine is refused with an estimate."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from yagona.app.bootstrap import bootstrap
from yagona.app.population import runner
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.errors import InvalidRequestError
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

START = datetime(2026, 9, 1, tzinfo=TASHKENT)


def _population(template: Path, path: Path, *, seed: int) -> tuple[runner.PopulationReport, dict[str, object]]:
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        clock = SimulatedClock(START)
        settings = Settings(env="test", database={"url": url}, bus={"defer": True})  # type: ignore[arg-type]
        container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
        report = runner.generate(container, clock, customers=12, days=9, seed=seed)
        return report, dict(runner.summary(container))
    finally:
        engine.dispose()


def test_the_same_seed_gives_the_same_population(sqlite_template: Path, tmp_path: Path) -> None:
    first, first_lines = _population(sqlite_template, tmp_path / "a.db", seed=7)
    second, second_lines = _population(sqlite_template, tmp_path / "b.db", seed=7)
    assert first == second
    assert first_lines == second_lines
    assert len(first_lines) == 12 and first.records > 100 and first.topups > 0
    _other, other_lines = _population(sqlite_template, tmp_path / "c.db", seed=8)
    assert other_lines != first_lines


def test_a_population_beyond_the_machine_is_refused_with_an_estimate() -> None:
    with pytest.raises(InvalidRequestError, match=r"beyond this machine: about .* hours"):
        runner.check_size(100_000_000, 90)
    runner.check_size(10_000, 90)
