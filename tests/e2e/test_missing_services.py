"""Under CI=true a missing PostgreSQL or NATS fails the run; on a laptop it skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pytest(*args: str, ci: bool, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env, "CI": "true" if ci else "false"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--no-cov", "-q", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("target", "env"),
    [
        (
            "tests/integration/test_migrations.py::test_models_and_migrations_agree",
            {"YAGONA_TEST_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1/test"},
        ),
        (
            "tests/integration/test_events.py::test_the_outbox_reaches_jetstream_once_per_event",
            {"YAGONA_TEST_NATS_URL": "nats://127.0.0.1:1"},
        ),
    ],
    ids=["postgres", "nats"],
)
def test_a_missing_service_fails_under_ci_and_skips_otherwise(target: str, env: dict[str, str]) -> None:
    in_ci = _pytest(target, "-k", "postgres", ci=True, **env)
    assert in_ci.returncode != 0, in_ci.stdout
    assert "a missing service is a failure" in in_ci.stdout
    on_a_laptop = _pytest(target, "-k", "postgres", ci=False, **env)
    assert on_a_laptop.returncode == 0, on_a_laptop.stdout
    assert "skipped" in on_a_laptop.stdout
