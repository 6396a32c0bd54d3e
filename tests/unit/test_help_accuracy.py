"""The help assistant's accuracy run: every question of tests/data/help_questions.yaml (at
least 50 a language, uz in Latin and Cyrillic) is asked, and the article it finds — or its
"unsure" for questions outside the knowledge base — is compared with the one expected.

Threshold: 0.9 a language. A wrong or missing first answer costs the customer a rephrase or a
hand-over to a person (both are offered with every unsure answer), so nine right first
answers in ten keep the assistant worth asking; below that it wastes more time than it saves.
The figures are printed (`-s`) and recorded in docs/crm.md and docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from yagona.crm.service import assistant

DATA = Path(__file__).parent.parent / "data"
ACCURACY_MIN = 0.9
# The held-out set (help_questions_held_out.yaml) was written after the tuning and never used
# for it: its accuracy is the honest estimate (0.85 uz, 0.95 ru, 0.80 en when written). Its
# floor guards against a change that helps the tuning set and hurts new questions.
HELD_OUT_MIN = 0.75

Rows = list[tuple[str, str | list[str] | None]]


def _questions(name: str = "help_questions.yaml") -> dict[str, Rows]:
    data: dict[str, Rows] = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_the_assistant_answers_nine_questions_in_ten_rightly(language: str) -> None:
    rows = _questions()[language]
    assert len(rows) >= 50
    _run(language, rows, ACCURACY_MIN, "question set")


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_the_held_out_questions_stay_above_their_floor(language: str) -> None:
    _run(language, _questions("help_questions_held_out.yaml")[language], HELD_OUT_MIN, "held out")


def _run(language: str, rows: Rows, floor: float, name: str) -> None:
    articles = assistant.knowledge_base().articles[language]
    right, misses = 0, []
    for question, expected in rows:
        wanted = expected if isinstance(expected, list) else [expected]
        assert all(w is None or w in articles for w in wanted), f"{question}: no article {expected}"
        _, best = assistant.match(question, language=language)
        found = best.id if best is not None else None
        if found in wanted:
            right += 1
        else:
            misses.append(f"{question!r}: expected {expected}, found {found}")
    accuracy = right / len(rows)
    outside = sum(1 for _, expected in rows if expected is None)
    print(f"\nhelp assistant, {name}, {language}: {right}/{len(rows)} = {accuracy:.3f} ({outside} outside the base)")  # noqa: T201
    for miss in misses:
        print("  miss:", miss)  # noqa: T201
    assert accuracy >= floor, misses


def test_the_question_sets_language_is_told_right() -> None:
    """The answer's language: a question is answered in the language it was asked in."""
    for language, rows in _questions().items():
        told = [assistant.match(q, language="uz" if language != "uz" else "en")[0] for q, _ in rows]
        share = sum(1 for t in told if t == language) / len(told)
        print(f"language told right, {language}: {share:.3f}")  # noqa: T201
        assert share >= 0.9
