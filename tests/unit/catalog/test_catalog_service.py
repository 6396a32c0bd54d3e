"""Public surface: lookups, errors, the TMF620 shape and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.unit.catalog.helpers import copy_data, read, write
from yagona.catalog import service
from yagona.catalog.cli import app
from yagona.catalog.errors import PlanNotFoundError
from yagona.kernel.errors import NotFoundError

runner = CliRunner()


def test_get_plan_unknown_is_not_found() -> None:
    with pytest.raises(PlanNotFoundError) as caught:
        service.get_plan("lider-mega")
    assert isinstance(caught.value, NotFoundError)
    assert (caught.value.code, caught.value.http_status) == ("not_found", 404)


def test_the_shipped_catalogue_is_cached() -> None:
    assert service.get_catalogue() is service.get_catalogue()


def test_tmf620_shape_of_an_open_plan() -> None:
    offering = service.to_tmf620(service.get_plan("lider-start"))
    assert offering["id"] == "lider-start"
    assert offering["href"].endswith("/productOffering/lider-start")
    assert offering["name"] == "Lider Start"
    assert offering["lifecycleStatus"] == "Active"
    assert offering["@type"] == "ProductOffering"
    assert offering["validFor"] == {"startDateTime": "2023-05-08T00:00:00+05:00"}
    prices = {price["id"]: price for price in offering["productOfferingPrice"]}
    recurring = prices["lider-start-recurring"]
    assert recurring["priceType"] == "recurring"
    assert recurring["recurringChargePeriodType"] == "month"
    assert recurring["price"] == {"unit": "UZS", "value": 35000}
    assert prices["lider-start-first-fee"]["priceType"] == "oneTime"
    assert prices["lider-start-first-fee"]["price"] == {"unit": "UZS", "value": 40000}
    assert prices["lider-start-usage-central_asia"]["priceType"] == "usage"
    assert prices["lider-start-usage-central_asia"]["price"] == {"unit": "UZS", "value": 1430}
    characteristics = {c["name"]: c for c in offering["prodSpecCharValueUse"]}
    assert characteristics["mb"]["productSpecCharacteristicValue"][0]["value"] == 10240
    assert characteristics["welcome_minutes"]["productSpecCharacteristicValue"][0]["value"] == 500
    assert offering["description"] == "3 000 minutes, 500 SMS, 10 240 MB per month"
    json.dumps(offering)  # plain JSON all the way down


def test_tmf620_shape_of_an_archive_plan() -> None:
    offering = service.to_tmf620(service.get_plan("business-platinum"))
    assert offering["lifecycleStatus"] == "Retired"
    assert offering["isSellable"] is False
    recurring = next(p for p in offering["productOfferingPrice"] if p["priceType"] == "recurring")
    assert recurring["price"] == {"unit": "UZS", "value": 137035.5}
    pro = service.to_tmf620(service.get_plan("business-pro-10"), base_url="https://api.example/tmf/")
    assert pro["validFor"]["endDateTime"] == "2023-05-11T00:00:00+05:00"
    assert pro["href"] == "https://api.example/tmf/productOffering/business-pro-10"
    ustoz = service.to_tmf620(service.get_plan("ustoz"))
    recurring = next(p for p in ustoz["productOfferingPrice"] if p["priceType"] == "recurring")
    assert (recurring["recurringChargePeriodType"], recurring["recurringChargePeriodLength"]) == ("day", 14)


def test_cli_list() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    assert "lider-start" in result.output
    assert "137 035.50" in result.output
    open_only = runner.invoke(app, ["list", "--open-only", "--json"])
    assert open_only.exit_code == 0
    plans = json.loads(open_only.output)
    assert len(plans) == 15
    assert plans[0]["first_fee"] == 40000


def test_cli_show() -> None:
    result = runner.invoke(app, ["show", "ustoz-start"])
    assert result.exit_code == 0
    assert "Ustoz Start (ustoz-start)" in result.output
    assert "activation 5 000.00 so'm" in result.output
    as_json = runner.invoke(app, ["show", "terminal", "--json"])
    assert json.loads(as_json.output)["switching"]["min_balance"] == 6250
    tmf = runner.invoke(app, ["show", "terminal", "--tmf"])
    assert json.loads(tmf.output)["@type"] == "ProductOffering"


def test_cli_show_unknown_plan_exits_1_with_the_code() -> None:
    result = runner.invoke(app, ["show", "lider-mega"])
    assert result.exit_code == 1
    assert "not_found: no plan 'lider-mega' in the catalogue" in result.output


def test_cli_validate(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["validate"])
    assert (ok.exit_code, ok.output.strip()) == (0, "catalogue ok")
    data = copy_data(tmp_path)
    document = read(data, "lider.yaml")
    document["plans"][1]["id"] = "lider-start"
    write(data, "lider.yaml", document)
    broken = runner.invoke(app, ["validate", "--path", str(data), "--json"])
    assert broken.exit_code == 1
    report = json.loads(broken.output)
    assert report["ok"] is False
    assert "catalogue: plan id lider-start is used twice" in report["problems"]
    # The renamed plan is now missing, so every plan that switched to it says so, one problem per line.
    assert "catalogue: plan oson-business: unknown switch target lider-plus" in report["problems"]
