"""`yagona demo population` and `yagona analytics …` in process (typer's runner): the
population with its summary, the export, the refresh, segment sizes, and the refusals (a
population beyond the machine, a store too short to train on)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yagona.app.cli import app


def test_the_operator_generates_exports_and_refreshes(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(sqlite_template, tmp_path / "cli.db")
    monkeypatch.setenv("YAGONA_ANALYTICS_DIRECTORY", str(tmp_path / "store"))
    monkeypatch.setenv("YAGONA_ENV", "test")
    runner = CliRunner()
    url = ["--database-url", f"sqlite:///{tmp_path / 'cli.db'}"]

    refused = runner.invoke(app, [*url, "demo", "population", "--customers", "100000000", "--days", "90"])
    assert refused.exit_code != 0 and "beyond this machine" in refused.output

    made = runner.invoke(app, [*url, "demo", "population", "--customers", "4", "--days", "2", "--seed", "9"])
    assert made.exit_code == 0, made.output
    assert "4 customers x 2 days (seed 9)" in made.output
    assert "care: " in made.output and "tickets" in made.output and "resolved" in made.output

    exported = runner.invoke(app, [*url, "analytics", "export"])
    assert exported.exit_code == 0 and "rows written" in exported.output
    assert list((tmp_path / "store" / "events").glob("day=*/part-*.parquet"))

    refreshed = runner.invoke(app, [*url, "analytics", "refresh"])
    assert refreshed.exit_code == 0 and "0 rows exported; no churn model yet" in refreshed.output

    sizes = runner.invoke(app, [*url, "analytics", "segments", "--as-of", "2026-09-03"])
    assert sizes.exit_code == 0
    assert json.loads(sizes.output)["sizes"]["new"] == 4

    weekly = runner.invoke(app, [*url, "analytics", "segments", "--weekly"])
    assert weekly.exit_code == 0 and json.loads(weekly.output)[0]["as_of"] == "2026-09-02"

    short = runner.invoke(app, [*url, "analytics", "churn", "train"])
    assert short.exit_code != 0 and "too few days" in short.output
