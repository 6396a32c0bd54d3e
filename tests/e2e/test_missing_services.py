"""Under CI=true a missing PostgreSQL or NATS fails the run; on a laptop it skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


# A test that needs PostgreSQL and one that needs JetStream, each pointed at a closed port.
TARGETS = (
    "tests/integration/test_migrations.py::test_models_and_migrations_agree[postgres]",
    "tests/integration/test_events.py::test_the_outbox_reaches_jetstream_once_per_event[sqlite]",
)
UNREACHABLE = {
    "YAGONA_TEST_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1/test",
    "YAGONA_TEST_NATS_URL": "nats://127.0.0.1:1",
}


def test_a_missing_service_fails_under_ci_and_skips_otherwise() -> None:
    in_ci = _pytest(*TARGETS, ci=True, **UNREACHABLE)
    assert in_ci.returncode != 0, in_ci.stdout
    assert "passed" not in in_ci.stdout and "skipped" not in in_ci.stdout, in_ci.stdout
    for service in ("PostgreSQL at postgresql://postgres@127.0.0.1:1/test", "NATS at nats://127.0.0.1:1"):
        assert f"{service} is unreachable" in in_ci.stdout, in_ci.stdout
    assert "a missing service is a failure" in in_ci.stdout
    on_a_laptop = _pytest(*TARGETS, ci=False, **UNREACHABLE)
    assert on_a_laptop.returncode == 0, on_a_laptop.stdout
    assert "2 skipped" in on_a_laptop.stdout, on_a_laptop.stdout
