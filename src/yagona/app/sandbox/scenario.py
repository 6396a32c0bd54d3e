"""Parsing and validating a scenario file. Every step is checked before anything runs, so
an invalid file changes nothing and names the step that is wrong."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from yagona.kernel import yamldata
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money


class ScenarioError(Exception):
    """The file is not a valid scenario; the message names the step."""


@dataclass(frozen=True)
class Field:
    """One field of a verb: how to read it, and whether it must be given."""

    read: Callable[..., Any]
    required: bool = True
    default: Any = None


VerbFields = Mapping[str, Field]


@dataclass(frozen=True)
class Step:
    index: int
    verb: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    name: str
    start: datetime
    steps: list[Step]


class _StringTimestampLoader(yamldata.SafeLoader):  # type: ignore[misc,valid-type]
    """YAML without implicit timestamps: a timestamp stays text, so a missing offset means
    Tashkent time (the contract) rather than whatever PyYAML assumes."""


_StringTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

MAX_STEPS = 100_000


def load(path: Path, *, verbs: Mapping[str, VerbFields]) -> Scenario:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_StringTimestampLoader)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"cannot read {path}: {error}") from error
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path} is not valid YAML: {error}") from error
    return parse(raw, verbs=verbs)


def parse(raw: Any, *, verbs: Mapping[str, VerbFields]) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError("a scenario is a mapping with name, start and steps")
    unknown = set(raw) - {"name", "start", "steps"}
    if unknown:
        raise ScenarioError(f"unknown top-level field(s): {', '.join(sorted(map(str, unknown)))}")
    name = raw.get("name", "")
    if not isinstance(name, str):
        raise ScenarioError("name must be text")
    if "start" not in raw:
        raise ScenarioError("start is missing: the simulated clock needs a starting time")
    try:
        start = timestamp(raw["start"], field="start")
    except ValueError as error:
        raise ScenarioError(str(error)) from error
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError("steps must be a non-empty list")
    if len(steps) > MAX_STEPS:
        raise ScenarioError(f"a scenario holds at most {MAX_STEPS} steps")
    return Scenario(name=name, start=start, steps=[_step(i, entry, verbs) for i, entry in enumerate(steps)])


def _step(index: int, entry: Any, verbs: Mapping[str, VerbFields]) -> Step:
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ScenarioError(f"step {index}: a step is a mapping with exactly one verb")
    [(verb, fields)] = entry.items()
    where = f"step {index} ({verb})"
    if verb not in verbs:
        raise ScenarioError(f"{where}: unknown verb; known verbs: {', '.join(sorted(verbs))}")
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        raise ScenarioError(f"{where}: the verb's value must be a mapping of fields")
    spec = verbs[verb]
    unknown = sorted(str(key) for key in fields if key not in spec)
    if unknown:
        raise ScenarioError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(spec)}")
    missing = [key for key, field in spec.items() if field.required and key not in fields]
    if missing:
        raise ScenarioError(f"{where}: missing field(s) {', '.join(missing)}")
    values: dict[str, Any] = {}
    for key, field in spec.items():
        if key not in fields:
            values[key] = field.default
            continue
        try:
            values[key] = field.read(fields[key], field=key)
        except (ValueError, ScenarioError) as error:
            raise ScenarioError(f"{where}: {error}") from error
    return Step(index=index, verb=verb, fields=values)


# --- field types -------------------------------------------------------------------------------


def timestamp(value: Any, *, field: str) -> datetime:
    """ISO 8601; without an offset it is Tashkent time."""
    if not isinstance(value, str):
        raise ValueError(f"{field}: a timestamp is ISO 8601 text, like 2026-03-15T14:00:00+05:00")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise ValueError(f"{field}: bad timestamp {value!r}") from error
    return parsed.replace(tzinfo=TASHKENT) if parsed.tzinfo is None else parsed


_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


@dataclass(frozen=True)
class Duration:
    months: int
    delta: timedelta

    def after(self, instant: datetime) -> datetime:
        """Months move the calendar in Tashkent time (P1M from 15 March is 15 April)."""
        local = instant.astimezone(TASHKENT)
        if self.months:
            month_index = local.month - 1 + self.months
            year, month = local.year + month_index // 12, month_index % 12 + 1
            day = min(local.day, calendar.monthrange(year, month)[1])
            local = local.replace(year=year, month=month, day=day)
        return local + self.delta


def duration(value: Any, *, field: str) -> Duration:
    text = value.strip() if isinstance(value, str) else ""
    match = _DURATION.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"{field}: bad duration {value!r}; use ISO 8601 such as P1D, PT6H, P1M")
    parts = {key: int(number) for key, number in match.groupdict().items() if number}
    return Duration(
        months=parts.get("years", 0) * 12 + parts.get("months", 0),
        delta=timedelta(
            weeks=parts.get("weeks", 0),
            days=parts.get("days", 0),
            hours=parts.get("hours", 0),
            minutes=parts.get("minutes", 0),
            seconds=parts.get("seconds", 0),
        ),
    )


def amount(value: Any, *, field: str) -> Money:
    """So'm as a number (up to two decimals)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{field} must be an amount of so'm")
    try:
        return Money.parse(value)
    except Exception as error:
        raise ValueError(f"{field}: {error}") from error


def text(value: Any, *, field: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} must be text")
    return value.strip()


def whole(value: Any, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field} must be a whole number")
    return value


def decimal(value: Any, *, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{field} must be a number")
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"{field} must be a number") from error


def flag(value: Any, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{field} must be true or false")
    return value
