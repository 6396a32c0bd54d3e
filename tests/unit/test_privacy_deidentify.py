"""De-identification (issue 16, part 7): the k-anonymity check of an export's rows over its
quasi-identifiers, as a pure rule and as the service the analytics export calls."""

from __future__ import annotations

import pytest

from yagona.privacy import rules
from yagona.privacy import service as privacy
from yagona.privacy.errors import KAnonymityInputError

QUASI = ["birth_year", "region", "plan"]


def _rows(*groups: tuple[int, str, str, int]) -> list[dict[str, object]]:
    return [
        {"birth_year": year, "region": region, "plan": plan, "customer": f"c_{i}_{n}"}
        for i, (year, region, plan, n) in enumerate(groups)
        for n in range(n)
    ]


def test_rows_alike_in_groups_of_k_pass() -> None:
    rows = _rows((1990, "Toshkent", "lider-start", 5), (1985, "Samarqand", "ustoz-start", 7))
    report = privacy.k_anonymity(rows, quasi=QUASI, k=5)
    assert report.ok and report.groups == 2 and report.smallest_group == 5 and report.rows_at_risk == 0


def test_a_group_below_k_is_named_by_its_keys_only() -> None:
    rows = _rows((1990, "Toshkent", "lider-start", 6), (1951, "Nukus", "lider-start", 1), (1985, "Xiva", "uy-100", 3))
    report = privacy.k_anonymity(rows, quasi=QUASI, k=5)
    assert not report.ok and report.smallest_group == 1 and report.rows_at_risk == 4
    assert report.risky_groups == [
        {"birth_year": 1951, "region": "Nukus", "plan": "lider-start", "count": 1},
        {"birth_year": 1985, "region": "Xiva", "plan": "uy-100", "count": 3},
    ]
    assert all("customer" not in group for group in report.risky_groups)  # no direct identifier leaks


def test_generalising_a_quasi_identifier_lowers_the_risk() -> None:
    rows = _rows((1990, "Toshkent", "lider-start", 3), (1991, "Toshkent", "lider-start", 3))
    assert not privacy.k_anonymity(rows, quasi=QUASI, k=5).ok
    decades = [{**row, "birth_year": int(str(row["birth_year"])) // 10 * 10} for row in rows]
    assert privacy.k_anonymity(decades, quasi=QUASI, k=5).ok


def test_a_missing_quasi_identifier_is_a_value_of_its_own() -> None:
    groups = rules.equivalence_classes(
        [{"region": "Toshkent"}, {"region": "Toshkent", "plan": None}], ["region", "plan"]
    )
    assert groups == {("Toshkent", None): 2}


def test_empty_rows_pass_and_bad_parameters_are_refused() -> None:
    assert privacy.k_anonymity([], quasi=QUASI, k=5).ok
    with pytest.raises(KAnonymityInputError):
        privacy.k_anonymity([], quasi=[], k=5)
    with pytest.raises(KAnonymityInputError):
        privacy.k_anonymity([], quasi=QUASI, k=1)
