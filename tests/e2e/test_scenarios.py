"""`yagona simulate` as its users run it: scenario files through a real process, outputs
checked against what the price list says (the expectations sit beside each scenario)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
OURS = sorted(p for p in (ROOT / "tests" / "scenarios").rglob("*.yaml") if not p.name.endswith(".expect.yaml"))
# The shared examples, copied in: the repository is self-contained (nothing read from outside it).
EXAMPLES = ROOT / "tests" / "scenarios" / "examples"


def simulate(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yagona", "simulate", str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def matches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Expected mappings are partial (a subset of the actual keys), except `bundles`, which
    must be exact; lists must have the same length."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected a mapping, got {actual!r}"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            elif key == "bundles" and value != actual[key]:
                problems.append(f"{where}.bundles: expected {value}, got {actual[key]}")
            else:
                problems.extend(matches(value, actual[key], f"{where}.{key}"))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return [f"{where}: expected {expected!r}, got {actual!r}"]
        return [
            p for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for p in matches(e, a, f"{where}[{i}]")
        ]
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


@pytest.mark.parametrize("scenario", OURS, ids=[p.stem for p in OURS])
def test_our_scenarios_give_what_the_price_list_says(scenario: Path) -> None:
    run = simulate(scenario)
    assert run.returncode == 0, run.stderr
    output = json.loads(run.stdout)
    expect = yaml.safe_load(scenario.with_name(scenario.stem + ".expect.yaml").read_text())
    steps = {step["i"]: step for step in output["steps"]}
    assert [s["i"] for s in output["steps"]] == list(range(len(output["steps"])))
    problems = [p for e in expect["steps"] for p in matches(e, steps[e["i"]], f"step {e['i']} ({steps[e['i']]['do']})")]
    if "final" in expect:
        problems.extend(matches(expect["final"], output["final"], "final"))
    assert not problems, "\n".join(problems)


def test_the_shared_lider_plus_example_runs_as_its_comments_say() -> None:
    run = simulate(EXAMPLES / "01-lider-plus-first-days.yaml")
    assert run.returncode == 0, run.stderr
    steps = json.loads(run.stdout)["steps"]
    assert all({"i", "do", "at", "ok"} <= set(step) for step in steps)
    assert steps[0]["balance"] == 40_000  # 100 000 - first fee 60 000
    assert (steps[1]["units"], steps[1]["from_bundle"], steps[1]["charged"]) == (3, 3, 0)  # 125 s = 3 minutes
    assert (steps[2]["from_bundle"], steps[3]["from_bundle"]) == (1, 250)
    assert (steps[4]["units"], steps[4]["charged"], steps[4]["balance"]) == (1, 1_430, 38_570)  # Tajikistan
    assert "497 daqiqa" in steps[5]["text"] and "5000 daqiqa" in steps[5]["text"]
    assert steps[7]["bundles"]["welcome_minutes"] == 497
    assert steps[7]["next_charge_at"] == "2026-06-02T00:00:00+05:00"


def test_the_tests_read_nothing_outside_the_repository() -> None:
    assert {p.name for p in EXAMPLES.glob("*.yaml")} >= {
        "01-lider-plus-first-days.yaml",
        "01-lider-plus-first-days.expect.yaml",
        "02-wallet-first-steps.yaml",
        "02-wallet-first-steps.expect.yaml",
    }
    needle = '"' + "shar" + "ed" + '"'  # spelt so this file does not find itself
    for test_file in (ROOT / "tests").rglob("*.py"):
        assert needle not in test_file.read_text(), f"{test_file} reads a folder outside the repository"


def test_the_output_is_the_same_byte_for_byte() -> None:
    first, second = simulate(OURS[1]), simulate(OURS[1])
    assert first.returncode == 0 and first.stdout == second.stdout
    pretty = simulate(OURS[1], "--pretty")
    assert json.loads(pretty.stdout) == json.loads(first.stdout) and "\n  " in pretty.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "name: x\nstart: '2026-01-01T00:00:00'\nsteps:\n  - line.fly: {msisdn: '998901'}\n",
            "step 0 (line.fly): unknown verb",
        ),
        (
            "name: x\nstart: '2026-01-01T00:00:00'\nsteps:\n  - advance: {by: P1D}\n  - line.call: {msisdn: '998901000001', seconds: 5}\n",
            "step 1 (line.call): missing field(s) to",
        ),
        (
            "name: x\nstart: '2026-01-01T00:00:00'\nsteps:\n  - advance: {to: 'next tuesday'}\n",
            "step 0 (advance): to: bad timestamp",
        ),
        ("name: x\nstart: 'yesterday'\nsteps:\n  - advance: {by: P1D}\n", "start: bad timestamp"),
        (
            "name: x\nstart: '2026-01-01T00:00:00'\nsteps:\n  - advance: {by: 1 day}\n",
            "step 0 (advance): by: bad duration",
        ),
        (
            "name: x\nstart: '2026-01-01T00:00:00'\nsteps:\n  - line.topup: {msisdn: '998901000001', amount: 1.234}\n",
            "step 0 (line.topup): amount",
        ),
        (
            "name: x\nstart: '2026-01-01T00:00:00'\nsteps:\n  - line.sms: {msisdn: '998901000001', to: '1', extra: 2}\n",
            "step 0 (line.sms): unknown field(s) extra",
        ),
        ("name: x\nstart: '2026-01-01T00:00:00'\nsteps: []\n", "steps must be a non-empty list"),
        ("- just a list\n", "a scenario is a mapping"),
        ("name: [unclosed\n", "is not valid YAML"),
    ],
)
def test_an_invalid_file_exits_2_naming_the_step(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    run = simulate(path)
    assert run.returncode == 2
    assert run.stdout == ""
    assert message in run.stderr, run.stderr


def test_a_time_without_offset_is_tashkent_and_the_clock_does_not_go_back(tmp_path: Path) -> None:
    path = tmp_path / "clock.yaml"
    path.write_text(
        "name: clock\nstart: '2026-01-01T09:00:00'\nsteps:\n  - advance: {by: PT6H}\n"
        "  - advance: {to: '2026-01-01T10:00:00'}\n  - advance: {by: P1M}\n"
    )
    steps = json.loads(simulate(path).stdout)["steps"]
    assert steps[0]["at"] == "2026-01-01T15:00:00+05:00"
    assert steps[1]["ok"] is False and steps[1]["error"]["code"] == "invalid_request"
    assert steps[2]["at"] == "2026-02-01T15:00:00+05:00"
