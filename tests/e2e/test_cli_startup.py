"""`yagona --help` lists every command without importing a domain; a command's own help
and run import what it needs (docs/benchmarks.md, start-up)."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from yagona.app.cli import app

PROBE = """
import sys
from typer.testing import CliRunner
from yagona.app.cli import app
result = CliRunner().invoke(app, ["--help"])
assert result.exit_code == 0, result.output
print(sorted(name for name in sys.modules if name.startswith("yagona.") and name.count(".") >= 1))
print("sqlalchemy" in sys.modules, "fastapi" in sys.modules)
print(result.output)
"""


def test_the_root_help_lists_the_commands_and_imports_no_domain() -> None:
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120)
    modules, heavy, output = run.stdout.split("\n", 2)
    for domain in ("ledger", "lines", "wallet", "identity", "loyalty", "payments", "catalog", "notify", "home"):
        assert f"'yagona.{domain}" not in modules, modules
    assert heavy == "False False"
    for command in ("serve", "worker", "simulate", "db", "ledger", "bench", "wallet", "loyalty", "oidc", "staff"):
        assert f" {command} " in output


def test_a_lazy_command_loads_on_use() -> None:
    runner = CliRunner()
    loyalty = runner.invoke(app, ["loyalty", "--help"])
    assert loyalty.exit_code == 0 and "consume" in loyalty.output  # the command cli.py adds on load
    ledger = runner.invoke(app, ["ledger", "--help"])
    assert ledger.exit_code == 0 and "double-entry" in ledger.output
    unknown = runner.invoke(app, ["no-such-command"])
    assert unknown.exit_code == 2
