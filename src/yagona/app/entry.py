"""The `yagona` command's entry point. `yagona simulate` takes a short way in: a scenario
run does not need the other commands' imports (the OIDC provider, the HTTP stack)."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "simulate":
        # The imports build ~1 000 modules' objects and free none: no cyclic collection until
        # the scenario starts (sandbox/cli.py freezes them and collects again).
        gc.disable()
        from yagona.app.sandbox.cli import run_alone

        run_alone(sys.argv[2:])
        return
    from yagona.app.cli import main as full

    full()
