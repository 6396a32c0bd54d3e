"""`yagona simulate` and `yagona --help` start without the modules they do not use: the HTTP
stack and client, NATS, Alembic, the analytics' data libraries (docs/sandbox.md, "Start-up"). Not a
timing: what a fresh process holds in `sys.modules` after the command ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenarios" / "examples" / "01-lider-plus-first-days.yaml"

# Loaded by a command that serves HTTP, talks to NATS, migrates, renders pages or computes
# analytics, calls a gateway (httpx) or reckons a ticket's due date (holidays) — none of
# which a scenario run or the root help does.
HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "nats",
    "aiohttp",
    "alembic",
    "duckdb",
    "pyarrow",
    "sklearn",
    "numpy",
    "pandas",
    "telegram",
    "babel",
    "multipart",
    "authlib",
    "httpx",
    "holidays",
)

# Runs `yagona ARGS…` through the installed entry point's function in this process, then
# prints which of the heavy modules it imported, and whether the cyclic collector runs (and
# what the start-up built is frozen out of its way).
PROBE = """
import gc, json, sys
sys.argv = ["yagona", *sys.argv[1:]]
from yagona.app.entry import main
try:
    main()
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
heavy = {heavy!r}
sys.stderr.write("\\nGC " + json.dumps([gc.isenabled(), gc.get_freeze_count() > 0]))
sys.stderr.write("\\nLOADED " + json.dumps(sorted(m for m in heavy if m in sys.modules)) + "\\n")
"""


def command(*args: str, cache: Path) -> tuple[str, list[str], list[bool]]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )
    assert run.returncode == 0, run.stderr
    collector, loaded = run.stderr.rsplit("\nGC ", 1)[1].split("\nLOADED ", 1)
    return run.stdout, json.loads(loaded), json.loads(collector)


def test_a_scenario_runs_without_the_http_stack_nats_alembic_or_analytics(tmp_path: Path) -> None:
    first, _, _ = command("simulate", str(SCENARIO), cache=tmp_path)  # builds the migrated template
    assert any(tmp_path.joinpath("yagona").glob("sandbox-*.db"))
    output, loaded, (collecting, frozen) = command("simulate", str(SCENARIO), cache=tmp_path)  # copies it: no Alembic
    assert loaded == []
    assert collecting and frozen  # the run collects its own garbage; the imports' objects are frozen
    assert output == first  # the same bytes from the template as from the migrations
    assert json.loads(output)["steps"][0]["balance"] == 40_000


def test_the_root_help_through_the_entry_point_loads_none_of_them(tmp_path: Path) -> None:
    output, loaded, _ = command("--help", cache=tmp_path)
    assert loaded == []
    assert " simulate " in output and " serve " in output
