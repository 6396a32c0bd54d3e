"""The rule file is validated on load: a bad rule is refused naming it; the shipped file
holds every reminder of product.md §11 in three languages."""

from __future__ import annotations

import pytest

from yagona.reminders import service
from yagona.reminders.errors import RuleFileError

GOOD = """
rules:
  - id: bundle-nearly-used
    title: A bundle is nearly used
    kind: service
    trigger: lines.usage_rated
    when: [{fact: used_percent, at_least: 80}]
    period_days: 25
    text: {uz: "{number} {left}", ru: "{number} {left}", en: "{number} {left}"}
"""


def test_the_shipped_rules_cover_product_section_11() -> None:
    by_id = {r.id: r for r in service.rules()}
    assert set(by_id) == {
        "line-fee-due", "line-bundle-80", "line-promo-ends", "wallet-light-limit", "wallet-dormancy",
        "points-expiring", "home-fee-due", "home-suspended", "home-still-suspended", "offer-made",
    }  # fmt: skip
    assert by_id["points-expiring"].kind == by_id["offer-made"].kind == "marketing"
    assert all(set(r.text) == {"uz", "ru", "en"} for r in by_id.values())
    assert [r.id for r in by_id.values() if r.required] == ["wallet-dormancy", "home-suspended", "home-still-suspended"]


def test_a_valid_file_loads() -> None:
    [rule] = service.load(GOOD)
    assert (rule.id, rule.period_days, rule.channels) == ("bundle-nearly-used", 25, ("sms",))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("trigger: lines.usage_rated", "trigger: lines.bundle_gone"), "unknown trigger 'lines.bundle_gone'"),
        (("fact: used_percent", "fact: used"), "provides no fact 'used'"),
        (('en: "{number} {left}"', 'en: "{number} {price}"'), "names ['price']"),
        (('en: "{number} {left}"}', "}"), "no text in en"),
        (("kind: service", "kind: advert"), "kind"),
        (("at_least: 80", "at_least: 80, at_most: 90"), "exactly one comparison"),
    ],
)
def test_a_bad_rule_is_refused_at_load_naming_it(change: tuple[str, str], why: str) -> None:
    with pytest.raises(RuleFileError) as refused:
        service.load(GOOD.replace(*change))
    assert "bundle-nearly-used" in refused.value.message
    assert why in refused.value.message
    assert refused.value.details == {"rule": "bundle-nearly-used"}


def test_two_rules_with_one_id_are_refused() -> None:
    twice = GOOD + GOOD.split("rules:")[1]
    with pytest.raises(RuleFileError, match="used twice"):
        service.load(twice)


def test_a_text_in_the_customers_language_with_the_facts_filled() -> None:
    rule = service.rule("line-fee-due")
    assert rule is not None
    facts = {"number": "+998 90 100 00 01", "fee": "55 000", "balance": "40 000", "short": "15 000", "due_date": "x"}
    assert service.render(rule, "ru", facts).startswith("+998 90 100 00 01: завтра абонентская плата 55 000 сум.")
    assert "ertaga oylik to'lov 55 000 so'm" in service.render(rule, "uz", facts)
    assert service.render(rule, "en", {**facts, "short": "1"}).endswith("1 so'm short. Please top up.")
