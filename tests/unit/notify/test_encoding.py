# ruff: noqa: RUF001, RUF003 - Cyrillic and Uzbek apostrophes on purpose
"""SMS encoding and parts, with worked examples (3GPP TS 23.038 numbers: 160/153, 70/67)."""

from __future__ import annotations

import pytest

from yagona.notify.encoding import SmsShape, for_sms, shape


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsShape("GSM-7", 0, 0)),
        ("Yagona: kod 123456", SmsShape("GSM-7", 18, 1)),
        ("a" * 160, SmsShape("GSM-7", 160, 1)),  # the last length of one part
        ("a" * 161, SmsShape("GSM-7", 161, 2)),  # one more: two parts of 153 + 8
        ("a" * 306, SmsShape("GSM-7", 306, 2)),  # 2 x 153
        ("a" * 307, SmsShape("GSM-7", 307, 3)),
        # Extension characters count two septets each: 80 euros fill one part exactly.
        ("€" * 80, SmsShape("GSM-7", 160, 1)),
        ("€" * 81, SmsShape("GSM-7", 162, 2)),
        # 152 plain + one "[" (2): the escape pair does not fit the first part's last septet.
        ("a" * 152 + "[" + "a" * 10, SmsShape("GSM-7", 164, 2)),
        ("a" * 152 + "[" + "a" * 152, SmsShape("GSM-7", 306, 3)),
        # GSM-7 has its own accented letters and Greek capitals.
        ("Ça è Ñ Ü Δ Ω £ ¥ §", SmsShape("GSM-7", 18, 1)),
        # Cyrillic letters are not in the GSM alphabet, so the text is UCS-2.
        ("Ваш код 123456", SmsShape("UCS-2", 14, 1)),
        ("д" * 70, SmsShape("UCS-2", 70, 1)),
        ("д" * 71, SmsShape("UCS-2", 71, 2)),  # 67 + 4
        ("д" * 134, SmsShape("UCS-2", 134, 2)),
        ("д" * 135, SmsShape("UCS-2", 135, 3)),
        # One Cyrillic letter in a Latin text turns the whole text to UCS-2.
        ("Kod: 1234 (код)", SmsShape("UCS-2", 15, 1)),
        # An emoji is two UTF-16 units, never split between parts.
        ("😀" * 35, SmsShape("UCS-2", 70, 1)),
        ("a" * 66 + "😀" + "a", SmsShape("UCS-2", 69, 1)),
        ("a" * 66 + "😀" + "a" * 4, SmsShape("UCS-2", 72, 2)),
    ],
)
def test_the_encoding_and_the_parts_of_a_text(text: str, expected: SmsShape) -> None:
    assert shape(text) == expected


def test_uzbek_latin_apostrophes_are_sent_as_the_ascii_apostrophe_and_stay_gsm7() -> None:
    uzbek = "Oʻzbekiston, gʻalla, maʼno, o‘g‘il, qo’l"
    assert shape(uzbek).encoding == "UCS-2"  # as typed, one ʻ would cost the whole message
    sent = for_sms(uzbek)
    assert sent == "O'zbekiston, g'alla, ma'no, o'g'il, qo'l"
    assert shape(sent) == SmsShape("GSM-7", len(sent), 1)


def test_typographic_characters_are_made_plain() -> None:
    assert for_sms("«Yagona» — 5…10\u00a0so‘m") == '"Yagona" - 5...10 so\'m'


def test_a_real_template_in_each_language() -> None:
    from yagona.notify.rules import render

    params = {"code": "123456", "minutes": "5"}
    uz, ru, en = (shape(for_sms(render("identity.otp", lang, params))) for lang in ("uz", "ru", "en"))
    assert (uz.encoding, uz.parts) == ("GSM-7", 1)
    assert (ru.encoding, ru.parts) == ("UCS-2", 2)  # 79 Cyrillic units: 67 + 12
    assert (en.encoding, en.parts) == ("GSM-7", 1)
