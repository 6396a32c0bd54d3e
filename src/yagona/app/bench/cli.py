"""`yagona bench …`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Benchmarks (not tests): figures for docs/benchmarks.md.", no_args_is_help=True)
