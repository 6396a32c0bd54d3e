"""The demo home catalogue: shipped valid, every item marked demo, a broken file refused with every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from yagona.catalog import home
from yagona.catalog.errors import CatalogueInvalidError, PlanClosedError, PlanNotFoundError


def test_the_shipped_home_catalogue_is_demo_data_throughout() -> None:
    catalogue = home.read_home_catalogue()
    assert catalogue.catalogue.demo
    items = [*catalogue.plans, *catalogue.iptv_packages, *catalogue.equipment]
    assert items and all(item.demo for item in items)
    assert all("demo" in item.name.en.lower() for item in items)
    assert {device.kind for device in catalogue.equipment} == {"router", "set_top_box"}
    assert any(plan.night_unlimited for plan in catalogue.plans)


def test_lookups_refuse_unknown_and_closed_items() -> None:
    assert home.get_home_plan("uy-100").speed_mbps == 100
    assert home.get_home_plan("uy-20-arxiv").status == "closed"  # still billed for those who have it
    with pytest.raises(PlanClosedError):
        home.get_home_plan("uy-20-arxiv", to_join=True)
    with pytest.raises(PlanNotFoundError):
        home.get_home_plan("uy-999")
    with pytest.raises(PlanClosedError):
        home.get_iptv_package("tv-sport-arxiv", to_join=True)
    with pytest.raises(PlanNotFoundError):
        home.get_equipment("modem")


def test_a_broken_file_is_refused_with_every_problem(tmp_path: Path) -> None:
    broken = tmp_path / "home.yaml"
    text = home.default_file().read_text(encoding="utf-8")
    text = text.replace("speed_mbps: 50\n", "speed_mbps: -5\n").replace("monthly_fee: 25000", "monthly_fee: -1")
    text = text.replace("    tasix_mbps: 100\n", "    tasix_mbps: 100\n    colour: red\n")
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueInvalidError) as refused:
        home.read_home_catalogue(broken)
    problems = "\n".join(refused.value.problems)
    assert "plans.0.speed_mbps" in problems
    assert "plans.0.colour" in problems
    assert "iptv_packages.0.monthly_fee" in problems


def test_night_speed_goes_with_night_unlimited(tmp_path: Path) -> None:
    broken = tmp_path / "home.yaml"
    broken.write_text(
        home.default_file().read_text(encoding="utf-8").replace("night_speed_mbps: 200\n", ""), encoding="utf-8"
    )
    with pytest.raises(CatalogueInvalidError, match="invalid"):
        home.read_home_catalogue(broken)
