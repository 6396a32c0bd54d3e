"""Validation on load: a planted mistake in a copy of the data files is reported, never loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.unit.catalog.helpers import copy_data, read, write
from yagona.catalog import repository, service
from yagona.catalog.errors import CatalogueInvalidError

Document = dict[str, Any]


def plant(tmp_path: Path, name: str, change: Callable[[Document], None]) -> Path:
    data = copy_data(tmp_path)
    document = read(data, name)
    change(document)
    write(data, name, document)
    return data


def lider_plan(document: Document, plan_id: str) -> Document:
    plan: Document = next(p for p in document["plans"] if p["id"] == plan_id)
    return plan


def test_an_untouched_copy_is_valid(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    assert service.validate(data) == []
    assert len(repository.load_catalogue(data).plans) == len(service.list_plans())


def test_duplicate_plan_id(tmp_path: Path) -> None:
    data = plant(tmp_path, "lider.yaml", lambda d: lider_plan(d, "lider-plus").update(id="lider-start"))
    assert "catalogue: plan id lider-start is used twice" in " | ".join(service.validate(data))


def test_duplicate_plan_id_across_files(tmp_path: Path) -> None:
    data = plant(tmp_path, "oson-business.yaml", lambda d: d["plans"][0].update(id="lider-start"))
    assert any("lider-start is used twice" in problem for problem in service.validate(data))


def test_negative_price(tmp_path: Path) -> None:
    data = plant(tmp_path, "lider.yaml", lambda d: d["defaults"]["prices"].update(onnet="-100"))
    problems = service.validate(data)
    assert any("prices.onnet" in p and "negative" in p for p in problems)
    # Every Lider plan inherits the default, so every one is reported.
    assert sum("prices.onnet" in p for p in problems) == 5


def test_unknown_switch_target(tmp_path: Path) -> None:
    data = plant(
        tmp_path,
        "lider.yaml",
        lambda d: lider_plan(d, "lider-max").update(switching={"group": "lider", "to": ["lider-mega"]}),
    )
    assert "catalogue: plan lider-max: unknown switch target lider-mega" in " | ".join(service.validate(data))


def test_missing_required_price(tmp_path: Path) -> None:
    data = plant(tmp_path, "ustoz-shifokor-harbiy.yaml", lambda d: d["defaults"]["prices"].pop("mb"))
    problems = service.validate(data)
    assert any("plan ustoz-start: prices.mb: Field required" in p for p in problems)


def test_open_plan_with_a_null_price(tmp_path: Path) -> None:
    data = plant(tmp_path, "lider.yaml", lambda d: d["defaults"]["prices"].update(europe=None))
    assert any("an open plan needs prices for europe" in p for p in service.validate(data))


def test_bundle_key_not_allowed(tmp_path: Path) -> None:
    data = plant(tmp_path, "lider.yaml", lambda d: lider_plan(d, "lider-start")["bundles"].update(gigabytes=3))
    assert any("plan lider-start: bundles.gigabytes" in p for p in service.validate(data))


def test_welcome_bundle_in_the_recurring_bundles(tmp_path: Path) -> None:
    data = plant(tmp_path, "lider.yaml", lambda d: lider_plan(d, "lider-start")["bundles"].update(welcome_mb=500))
    assert any("welcome_mb is granted by its own rule" in p for p in service.validate(data))


def test_first_fee_inconsistent_with_monthly_plus_activation(tmp_path: Path) -> None:
    data = plant(tmp_path, "ustoz-shifokor-harbiy.yaml", lambda d: d["plans"][0].update(first_fee="41 000"))
    problems = service.validate(data)
    assert any("plan ustoz-start" in p and "is not monthly_fee" in p for p in problems)


def test_unknown_key_in_a_plan(tmp_path: Path) -> None:
    data = plant(tmp_path, "lider.yaml", lambda d: lider_plan(d, "lider-pro").update(montly_fee="1"))
    assert any("plan lider-pro: montly_fee: Extra inputs are not permitted" in p for p in service.validate(data))


def test_header_of_another_version(tmp_path: Path) -> None:
    data = plant(tmp_path, "m2m.yaml", lambda d: d["catalogue"].update(version="2099.01.01-1"))
    assert "m2m.yaml: header differs from catalogue.yaml (version, date, order or source)" in service.validate(data)


def test_duplicate_prefix_in_the_number_plan(tmp_path: Path) -> None:
    data = plant(
        tmp_path, "number_plan.yaml", lambda d: d["domestic"]["offnet"].append({"prefixes": ["99890"], "label": "X"})
    )
    assert any("prefix 99890 is listed twice" in p for p in service.validate(data))


def test_unknown_package_plan(tmp_path: Path) -> None:
    data = plant(tmp_path, "m2m.yaml", lambda d: d["packages"][0].update(plans=["terminal", "lider-zero"]))
    assert "catalogue: package csd1: unknown plan lider-zero" in " | ".join(service.validate(data))


def test_invalid_yaml_and_missing_files(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    (data / "lider.yaml").write_text("plans: [unclosed", encoding="utf-8")
    (data / "number_plan.yaml").unlink()
    problems = service.validate(data)
    assert any(p.startswith("lider.yaml: not valid YAML") for p in problems)
    assert "number_plan.yaml: missing or unreadable" in problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = plant(tmp_path, "lider.yaml", lambda d: lider_plan(d, "lider-max").update(first_fee="-1"))
    document = read(data, "oson-business.yaml")
    document["plans"][0]["monthly_fee"] = "oops"
    write(data, "oson-business.yaml", document)
    problems = service.validate(data)
    assert any(p.startswith("lider.yaml: plan lider-max") for p in problems)
    assert any(p.startswith("oson-business.yaml: plan oson-business") for p in problems)


def test_loading_an_invalid_directory_raises_a_typed_error(tmp_path: Path) -> None:
    data = plant(tmp_path, "lider.yaml", lambda d: lider_plan(d, "lider-plus").update(id="lider-start"))
    with pytest.raises(CatalogueInvalidError) as caught:
        repository.load_catalogue(data)
    assert caught.value.code == "catalogue_invalid"
    assert caught.value.problems


def test_not_a_directory(tmp_path: Path) -> None:
    assert service.validate(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: not a directory"]
