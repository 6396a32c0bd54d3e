"""The programme in force: every edition in `loyalty/data/programme-*.yaml`, validated once
(at start: `app.bootstrap` loads them, so a bad file stops the process, not a request)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib.resources import files

from yagona.kernel import yamldata
from yagona.kernel.clock import TASHKENT
from yagona.loyalty.schemas import Programme


@cache
def editions() -> tuple[Programme, ...]:
    """Every edition, oldest first by the day it takes effect."""
    folder = files("yagona.loyalty").joinpath("data")
    found = [
        Programme.model_validate(yamldata.safe_load(entry.read_text(encoding="utf-8")))
        for entry in folder.iterdir()
        if entry.name.startswith("programme-") and entry.name.endswith(".yaml")
    ]
    if not found:
        raise RuntimeError("no loyalty programme in yagona/loyalty/data")
    return tuple(sorted(found, key=lambda p: p.effective_from))


def programme_at(moment: datetime) -> Programme:
    """The newest edition in effect on `moment`'s Tashkent day (the first one before any)."""
    day = moment.astimezone(TASHKENT).date()
    in_force = [p for p in editions() if p.effective_from <= day]
    return in_force[-1] if in_force else editions()[0]
