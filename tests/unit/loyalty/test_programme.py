"""The programme is data, validated on load: the shipped edition says what product.md §6
says, and a malformed edition is refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from yagona.loyalty.schemas import Programme
from yagona.loyalty.service import editions


def test_the_shipped_programme_is_the_products_default() -> None:
    programme = editions()[-1]
    assert programme.earn.som_per_point == 1000
    assert [(t.id, t.from_som, t.multiplier) for t in programme.tiers] == [
        ("bronze", 0, "1"),
        ("silver", 150_000, "1.25"),
        ("gold", 450_000, "1.5"),
    ]
    assert programme.spend_window_days == 90
    assert programme.expiry_months == 12
    assert programme.ecosystem_bonus.points == 100
    assert {r.id: r.points for r in programme.rewards} == {"data-1gb": 60, "minutes-100": 50, "fee-discount-10": 120}
    data, minutes = programme.reward("data-1gb"), programme.reward("minutes-100")
    assert data is not None and data.bundle is not None and (data.bundle.key, data.bundle.amount) == ("bonus_mb", 1024)
    assert minutes is not None and minutes.bundle is not None and minutes.bundle.days == 30
    assert "block_fee" in programme.earn.line_charges_excluded
    assert set(programme.earn.wallet_providers_excluded) == {"mobile", "home-internet", "iptv"}


def _raw() -> dict[str, object]:
    return editions()[-1].model_dump(mode="json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["tiers"].reverse(), "first tier starts at 0"),
        (lambda raw: raw["tiers"][2].update(from_som=100_000), "ascend"),
        (lambda raw: raw["rewards"].append(dict(raw["rewards"][0])), "unique"),
        (lambda raw: raw["rewards"][2].update(bundle={"key": "bonus_mb", "amount": 1, "days": 1}), "either"),
        (lambda raw: raw["rewards"][0]["bundle"].update(key="gold_bars"), "bonus_mb"),
        (lambda raw: raw.update(surprise=True), "surprise"),
    ],
)
def test_a_malformed_edition_is_refused(change: object, message: str) -> None:
    raw = _raw()
    change(raw)  # type: ignore[operator]
    with pytest.raises(ValidationError, match=message):
        Programme.model_validate(raw)
