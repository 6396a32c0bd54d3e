"""Reward bundles of the bonus programme in the order of use (product.md §6): after the
first month's extra, before the plan's own bundle."""

from __future__ import annotations

from yagona.lines import rules


def test_bonus_minutes_come_after_the_welcome_minutes_and_before_the_plans() -> None:
    remaining = {"welcome_minutes": 3, "bonus_minutes": 100, "minutes": 3000}
    for destination in ("onnet", "offnet", "fixed"):
        taken = rules.take_from_bundles(10, rules.VOICE_BUNDLES[destination], remaining)
        assert taken == {"welcome_minutes": 3, "bonus_minutes": 7}, destination
    # "to any Uzbek number": never abroad, never a short number
    assert "bonus_minutes" not in rules.VOICE_BUNDLES["international"]
    assert "bonus_minutes" not in rules.VOICE_BUNDLES["short"]


def test_bonus_minutes_run_out_into_the_plans_minutes() -> None:
    taken = rules.take_from_bundles(120, rules.VOICE_BUNDLES["offnet"], {"bonus_minutes": 100, "minutes": 3000})
    assert taken == {"bonus_minutes": 100, "minutes": 20}


def test_bonus_mb_comes_after_the_welcome_mb_and_before_the_plans_in_kb() -> None:
    kb = rules.KB_PER_MB
    remaining = {"welcome_mb": 500 * kb, "bonus_mb": 1024 * kb, "mb": 10240 * kb}
    assert rules.take_from_bundles(600 * kb, rules.DATA_BUNDLES, remaining) == {
        "welcome_mb": 500 * kb,
        "bonus_mb": 100 * kb,
    }
    assert "bonus_mb" in rules.KB_BUNDLES  # kept in KB, shown in MB
    # TAS-IX traffic: its own bundle first, then the same order
    tasix = rules.take_from_bundles(10 * kb, rules.TASIX_DATA_BUNDLES, {"bonus_mb": kb * 5, "mb": kb * 100})
    assert tasix == {"bonus_mb": 5 * kb, "mb": 5 * kb}


def test_a_fee_discount_takes_its_share_rounded_to_the_tiyin() -> None:
    from yagona.lines.service.rewards import discounted

    assert discounted(35_000_00, 10) == 31_500_00  # 35 000 so'm → 31 500
    assert discounted(137_035_50, 10) == 123_331_95  # 13 703.55 off
    assert discounted(100_001, 10) == 90_001  # 10 000.1 tiyin off: the tenth of a tiyin is not given
