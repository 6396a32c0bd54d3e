"""The rule file, validated on load: an unknown trigger, a condition on a fact the trigger
does not provide, a text missing a language or naming a fact the trigger does not fill, or
two rules with one id refuse the whole file, naming the rule."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

from pydantic import ValidationError

from yagona.kernel import yamldata
from yagona.reminders.errors import RuleFileError
from yagona.reminders.schemas import Rule
from yagona.reminders.service.triggers import TRIGGERS

RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "rules.yaml"
LANGUAGES = ("uz", "ru", "en")


@cache
def rules() -> tuple[Rule, ...]:
    """The shipped rules (read once; a bad file stops the process at start)."""
    return load(RULES_FILE.read_text(encoding="utf-8"))


def rule(rule_id: str) -> Rule | None:
    return next((r for r in rules() if r.id == rule_id), None)


def of_trigger(trigger: str) -> tuple[Rule, ...]:
    return tuple(r for r in rules() if r.trigger == trigger)


def load(text: str) -> tuple[Rule, ...]:
    raw = yamldata.safe_load(text)
    items = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise RuleFileError("the rule file holds no list `rules`", rule="-")
    loaded: list[Rule] = []
    for item in items:
        name = str(item.get("id", "?")) if isinstance(item, dict) else "?"
        loaded.append(_checked(name, item))
        if [r.id for r in loaded].count(name) > 1:
            raise _refused(name, "the id is used twice")
    return tuple(loaded)


def _checked(name: str, item: Any) -> Rule:
    try:
        rule = Rule.model_validate(item)
        conditions = [c.comparison() for c in rule.when]
    except ValidationError as error:
        first = error.errors()[0]
        raise _refused(name, f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from error
    except ValueError as error:
        raise _refused(name, str(error)) from error
    trigger = TRIGGERS.get(rule.trigger)
    if trigger is None:
        raise _refused(name, f"unknown trigger {rule.trigger!r}")
    for fact, _, _ in conditions:
        if fact not in trigger.facts:
            raise _refused(name, f"the trigger {rule.trigger} provides no fact {fact!r}")
    for language in LANGUAGES:
        text = rule.text.get(language)  # type: ignore[call-overload]
        if not text:
            raise _refused(name, f"no text in {language}")
        unknown = {f for _, f, _, _ in Formatter().parse(text) if f} - trigger.facts
        if unknown:
            raise _refused(name, f"the {language} text names {sorted(unknown)}, not facts of {rule.trigger}")
    return rule


def _refused(name: str, why: str) -> RuleFileError:
    return RuleFileError(f"reminder rule {name}: {why}", rule=name)
