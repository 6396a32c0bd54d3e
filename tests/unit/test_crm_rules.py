"""What a timeline entry may say: card numbers masked, whitespace folded, length capped."""

from __future__ import annotations

from yagona.crm import rules


def test_a_card_number_keeps_only_its_last_four_digits() -> None:
    assert rules.mask_card_numbers("card 8600 1234 5678 9012 declined") == "card ************9012 declined"
    assert rules.mask_card_numbers("8600123456789012") == "************9012"
    assert rules.mask_card_numbers("9860-0101-2345-6789-123") == "***************9123"


def test_phone_numbers_amounts_and_short_codes_stay() -> None:
    # 12 digits is a phone number, not a card; a sum or a contract number is not masked either
    assert rules.mask_card_numbers("+998901234567 paid 150000 for H1000234") == "+998901234567 paid 150000 for H1000234"


def test_text_is_folded_capped_and_empty_is_none() -> None:
    assert rules.clean_text("  balance\n\tasked  ", max_length=300) == "balance asked"
    assert rules.clean_text("x" * 400, max_length=300) == "x" * 300
    assert rules.clean_text(" \n ", max_length=300) is None
