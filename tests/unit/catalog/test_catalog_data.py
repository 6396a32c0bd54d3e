"""The shipped data files: every plan of the price list is there, with the price list's numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.unit.catalog.helpers import DATA_DIR
from yagona.catalog import service
from yagona.catalog.schemas import Plan

EXPECTED_PLANS = {
    # Lider (page 1)
    "lider-start", "lider-plus", "lider-pro", "lider-max", "lider-ultra",
    # Ustoz / Shifokor / Harbiy (page 3)
    "ustoz-start", "ustoz-profi", "shifokor-start", "shifokor-profi", "harbiy-start", "harbiy-profi",
    # M2M (page 5)
    "terminal", "electronics", "tuner",
    # Oson Business (page 6)
    "oson-business",
    # Archive (pages 8-17)
    "business-pro-5", "business-pro-10", "business-pro-20", "business-pro-30", "business-pro-50", "business-pro-100",
    "business-plan-1", "business-plan-2", "business-plan-3", "business-plan-4", "business-plan-5",
    "business-silver-plus", "business-medium-plus", "business-gold-plus", "business-pro-plus",
    "business-platinum-plus",
    "business-silver", "business-gold", "business-platinum",
    "ustoz", "shifokor",
    "mening-davram",
    "status-silver-plus", "status-gold-plus", "status-platinum-plus",
}  # fmt: skip
OPEN_GROUPS = {"lider", "ustoz-shifokor-harbiy", "m2m", "oson-business"}


def plan(plan_id: str) -> Plan:
    return service.get_plan(plan_id)


def tiyin(som: int) -> int:
    return som * 100


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda path: path.name)
def test_every_data_file_is_yaml_with_the_same_header(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    header = document["catalogue"]
    assert header["effective_date"] == date(2023, 5, 8)
    assert header["order"] == "№ 306/23/UZ"
    assert header["prices_include"] == ["VAT", "excise"]


def test_the_shipped_catalogue_is_valid() -> None:
    assert service.validate() == []


def test_every_plan_of_the_price_list_is_present() -> None:
    assert {p.id for p in service.list_plans()} == EXPECTED_PLANS
    assert len(service.list_plans()) == len(EXPECTED_PLANS)


def test_open_plans_are_the_four_open_groups() -> None:
    open_plans = service.list_plans(include_closed=False)
    assert {p.group for p in open_plans} == OPEN_GROUPS
    assert all(p.status == "open" for p in open_plans)
    assert len(open_plans) == 15  # 5 Lider, 6 professions, 3 M2M, Oson Business


def test_plans_follow_the_order_of_the_price_list() -> None:
    ids = [p.id for p in service.list_plans()]
    assert ids[:5] == ["lider-start", "lider-plus", "lider-pro", "lider-max", "lider-ultra"]
    assert ids[-3:] == ["status-silver-plus", "status-gold-plus", "status-platinum-plus"]


def test_lider() -> None:
    start = plan("lider-start")
    assert start.first_fee.tiyin == 4_000_000
    assert start.monthly_fee.tiyin == tiyin(35_000)
    assert start.bundles["minutes"].amount == 3000
    assert start.bundles["sms"].amount == 500
    assert start.bundles["mb"].amount == 10 * 1024
    assert start.first_month_bundles["welcome_minutes"].amount == 500
    assert start.first_month_bundles["welcome_mb"].amount == 500
    assert start.switching.code == "*110*720#"
    assert start.included_services == ()

    lider_plus = plan("lider-plus")
    assert lider_plus.first_fee.tiyin == tiyin(60_000)
    assert lider_plus.monthly_fee.tiyin == tiyin(55_000)
    assert lider_plus.prices.central_asia is not None
    assert lider_plus.prices.central_asia.tiyin == tiyin(1_430)
    assert lider_plus.prices.sputnik1 is not None
    assert lider_plus.prices.sputnik1.tiyin == tiyin(25_260)
    assert lider_plus.included_services == ("beeline-tv", "amediateka")

    ultra = plan("lider-ultra")
    assert ultra.bundles["minutes"].unlimited
    assert ultra.bundles["minutes"].amount == 45_000
    assert ultra.bundles["mb"].amount == 200 * 1024
    assert ultra.switching.code == "*110*724#"
    assert set(ultra.switching.to) == {"lider-start", "lider-plus", "lider-pro", "lider-max"}


def test_ustoz_shifokor_harbiy() -> None:
    start = plan("ustoz-start")
    assert start.activation_fee is not None
    assert start.activation_fee.tiyin == tiyin(5_000)
    assert start.first_fee.tiyin == tiyin(40_000)
    assert start.minimum_to_connect is not None
    assert start.minimum_to_connect.tiyin == tiyin(35_250)
    assert start.bundles["tasix_mb"].amount == 5_000
    assert start.bundles["mb"].amount == 10_240
    assert start.admin_block_daily_fee is not None
    assert start.admin_block_daily_fee.tiyin == tiyin(421)
    assert start.prices.offnet is not None
    assert start.prices.offnet.tiyin == tiyin(125)
    assert start.prices.cis is not None
    assert start.prices.cis.tiyin == tiyin(3_280)
    assert start.holiday_bundle is not None
    assert start.holiday_bundle.amount == 30
    assert "RU" in start.holiday_bundle.countries
    assert start.promos == ("beeline-tv-promo", "beeline-music-promo")
    assert start.connection.proof == "teacher"

    profi = plan("harbiy-profi")
    assert profi.first_fee.tiyin == tiyin(75_000)
    assert profi.bundles["mb"].amount == 25 * 1024
    assert profi.switching.code == "*110*674#"
    assert profi.switching.to == ("harbiy-start",)


def test_m2m_and_csd_packages() -> None:
    terminal = plan("terminal")
    assert terminal.monthly_fee.tiyin == tiyin(7_000)
    assert terminal.prorata
    assert terminal.billing_anchor == "calendar_month"
    assert terminal.bundles["csd_minutes"].amount == 150
    assert terminal.switching.min_balance is not None
    assert terminal.switching.min_balance.tiyin == tiyin(6_250)
    assert not terminal.international_calls
    assert terminal.prices.csd_minute is not None
    assert terminal.prices.csd_minute.tiyin == tiyin(50)
    assert terminal.prices.sms_international is not None
    assert terminal.prices.sms_international.tiyin == tiyin(505)
    thresholds = {p: plan(p).switching.min_balance for p in ("electronics", "tuner")}
    assert {p: m.tiyin for p, m in thresholds.items() if m} == {"electronics": tiyin(9_250), "tuner": tiyin(12_250)}
    assert plan("tuner").bundles["mb"].amount == 1_024

    packages = {package.id: package for package in service.get_catalogue().packages}
    assert packages["csd1"].price.tiyin == tiyin(4_020)
    assert packages["csd1"].minimum_balance.tiyin == tiyin(4_270)
    assert packages["csd2"].amount == 250
    assert packages["csd2"].validity == "P30D"
    assert service.find_package_by_code("*110*54#") == packages["csd2"]


def test_oson_business() -> None:
    oson = plan("oson-business")
    assert oson.first_fee.tiyin == tiyin(25_000)
    assert oson.activation_fee is not None
    assert oson.activation_fee.tiyin == tiyin(5_000)
    assert oson.connection.regions == ("xorazm", "qoraqalpogiston")
    assert oson.switching.code is None
    assert set(oson.switching.to) == {"lider-start", "lider-plus", "lider-pro", "lider-max", "lider-ultra"}
    assert "bundles.mb" in oson.unconfirmed


def test_archive_business_plans() -> None:
    pro10 = plan("business-pro-10")
    assert pro10.status == "closed"
    assert pro10.closed_since == date(2023, 5, 11)
    assert pro10.first_fee.tiyin == tiyin(55_000)
    assert pro10.bundles["mb"].amount == 15 * 1024

    plan3 = plan("business-plan-3")
    assert plan3.monthly_fee.tiyin == tiyin(97_000)
    assert plan3.reload is not None
    assert plan3.reload.minimum_balance is not None
    assert plan3.reload.minimum_balance.tiyin == tiyin(97_250)

    platinum_plus = plan("business-platinum-plus")
    assert platinum_plus.bundles["onnet_minutes"].unlimited
    assert platinum_plus.prices.corporate_group is not None
    assert platinum_plus.prices.corporate_group.tiyin == tiyin(105)
    assert platinum_plus.prorata

    platinum = plan("business-platinum")
    assert platinum.monthly_fee.tiyin == 13_703_550  # 137 035.5 so'm
    assert platinum.switching.to[0] == "lider-start"


def test_archive_ustoz_mening_davram_status() -> None:
    ustoz = plan("ustoz")
    assert ustoz.period == "P14D"
    assert ustoz.monthly_fee.tiyin == tiyin(10_000)
    assert ustoz.prices.mb is not None
    assert ustoz.prices.mb.tiyin == tiyin(630)
    assert ustoz.bundles["tasix_mb"].amount == 2_500

    davram = plan("mening-davram")
    assert davram.prices.onnet is not None
    assert davram.prices.onnet.tiyin == tiyin(55)
    assert davram.prices.central_asia is not None
    assert davram.prices.central_asia.tiyin == tiyin(1_260)
    assert davram.bundles["mb"].period == "P1D"
    bonus = davram.topup_bonus
    assert bonus is not None
    assert (bonus.min_topup.tiyin, bonus.amount, bonus.validity, bonus.max_balance) == (842_000, 200, "P7D", 1_000)
    assert davram.addons[0].monthly_fee.tiyin == tiyin(6_315)
    assert davram.addons[0].price_after is not None
    assert davram.addons[0].price_after.tiyin == 5_050  # 50.5 so'm

    platinum_plus = plan("status-platinum-plus")
    assert platinum_plus.monthly_fee.tiyin == tiyin(189_000)
    assert platinum_plus.bundles["intl_minutes"].amount == 100
    assert platinum_plus.prices.onnet is None  # the text ends before the prices


def test_shared_rules_and_promos() -> None:
    catalogue = service.get_catalogue()
    assert catalogue.rules.unlimited_minutes_cap == 45_000
    assert catalogue.rules.max_call_seconds == 3_600
    promo = catalogue.promo_subscriptions["beeline-music-promo"]
    assert (promo.free_days, promo.daily_fee.tiyin) == (30, tiyin(599))
    for p in service.list_plans():
        if p.reload is not None:
            assert p.reload.price.tiyin == 0  # the price list gives no price for «Perezagruzka»


def test_every_unlimited_bundle_carries_the_cap() -> None:
    unlimited = [b for p in service.list_plans() for b in p.bundles.values() if b.unlimited]
    assert unlimited
    assert {b.amount for b in unlimited} == {45_000}


def test_every_switch_code_is_unique_and_found() -> None:
    for p in service.list_plans():
        if p.switching.code:
            found = service.find_plan_by_switch_code(p.switching.code)
            assert found is not None
            assert found.id == p.id
    assert service.find_plan_by_switch_code("* 110 * 669 #") == plan("ustoz-start")
    assert service.find_plan_by_switch_code("*110*999#") is None
