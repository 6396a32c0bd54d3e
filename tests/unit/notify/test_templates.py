"""Message templates per language."""

from __future__ import annotations

from yagona.notify import rules


def test_every_template_speaks_uzbek_russian_and_english() -> None:
    for template, texts in rules.TEMPLATES.items():
        assert set(texts) == {"uz", "ru", "en"}, template


def test_a_missing_language_falls_back_to_uzbek() -> None:
    text = rules.render("identity.otp", "de", {"code": "123456", "minutes": "5"})
    assert text.startswith("Yagona: tasdiqlash kodi 123456")
