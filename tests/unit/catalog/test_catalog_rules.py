"""Pure rules: number classification, TAS-IX, free resources, switching and minimums."""

from __future__ import annotations

import ipaddress

import pytest

from yagona.catalog import rules, service
from yagona.catalog.errors import BelowMinimumError, PlanClosedError, SwitchNotAllowedError
from yagona.kernel.errors import InvalidRequestError
from yagona.kernel.money import Money


@pytest.mark.parametrize(
    ("number", "kind", "price_class", "country"),
    [
        ("998901234567", "onnet", "onnet", "UZ"),
        ("+998 91 123-45-67", "onnet", "onnet", "UZ"),
        ("901234567", "onnet", "onnet", "UZ"),  # nine national digits
        ("00998911234567", "onnet", "onnet", "UZ"),
        ("998941112233", "offnet", "offnet", "UZ"),  # Ucell
        ("998971112233", "offnet", "offnet", "UZ"),  # Mobiuz
        ("998991112233", "offnet", "offnet", "UZ"),  # Uzmobile
        ("998712345678", "fixed", "fixed", "UZ"),  # Tashkent
        ("998662345678", "fixed", "fixed", "UZ"),  # Samarqand
        ("992921234567", "international", "central_asia", "TJ"),
        ("77011234567", "international", "central_asia", "KZ"),  # +7 7xx is Kazakhstan
        ("79161234567", "international", "cis", "RU"),  # the rest of +7 is Russia
        ("380441234567", "international", "cis", "UA"),
        ("905321234567", "international", "asia2", "TR"),
        ("966501234567", "international", "asia2", "SA"),
        ("8613812345678", "international", "asia3", "CN"),
        ("4915112345678", "international", "europe", "DE"),
        ("12125551234", "international", "america_africa", None),
        ("61212345678", "international", "australia", "AU"),
    ],
)
def test_classify_number(number: str, kind: str, price_class: str, country: str | None) -> None:
    destination = service.classify_number(number)
    assert (destination.kind, destination.price_class, destination.country) == (kind, price_class, country)


@pytest.mark.parametrize(
    ("number", "zone"),
    [
        ("870772345678", "sputnik1"),  # Inmarsat BGAN, code 87077
        ("8821612345678", "sputnik2"),  # Thuraya, code 88216
        ("870381234567", "sputnik2"),  # Inmarsat B, code 87038
        ("881612345678", "sputnik3"),  # Iridium, code 8816
        ("870391234567", "sputnik4"),  # code 87039
        ("870601234567", "sputnik4"),  # code 87060
    ],
)
def test_satellite_codes(number: str, zone: str) -> None:
    destination = service.classify_number(number)
    assert (destination.kind, destination.price_class) == ("satellite", zone)


def test_the_longest_prefix_wins() -> None:
    destination = service.classify_number("870391234567")
    assert destination.prefix == "87039"


def test_short_numbers() -> None:
    listed = service.classify_number("1001")
    assert (listed.kind, listed.price_class) == ("short", "short")
    assert listed.price == Money.of_som(315)
    unlisted = service.classify_number("7777")
    assert unlisted.kind == "short"
    assert unlisted.price is None


@pytest.mark.parametrize(
    "number",
    ["", "+", "abc", "99890123", "9989012345678", "998801234567", "12", "1234567890123456", "٩٩٨٩٠١٢٣٤٥٦٧"],
)
def test_malformed_numbers_are_invalid_requests(number: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        service.classify_number(number)
    assert caught.value.code == "invalid_request"


def test_is_tasix() -> None:
    ranges = [ipaddress.ip_network("10.10.0.0/16"), ipaddress.ip_network("2001:db8::/32")]
    assert rules.is_tasix(ranges, "10.10.1.2")
    assert rules.is_tasix(ranges, "2001:db8::1")
    assert not rules.is_tasix(ranges, "10.11.0.1")
    assert service.is_tasix("192.0.2.10")  # the shipped sample list
    with pytest.raises(InvalidRequestError):
        rules.is_tasix(ranges, "not an address")


def test_is_free_resource() -> None:
    assert service.is_free_resource("my.gov.uz")
    assert service.is_free_resource("WWW.LEX.UZ.")
    assert not service.is_free_resource("notgov.uz")


def test_may_switch_inside_lider_with_the_target_fee_on_the_balance() -> None:
    start, ultra = service.get_plan("lider-start"), service.get_plan("lider-ultra")
    service.check_switch(start, ultra, balance=Money.of_som(170_000))
    with pytest.raises(BelowMinimumError):
        service.check_switch(start, ultra, balance=Money.of_som(169_999))


def test_may_switch_from_oson_business_to_lider_but_not_back() -> None:
    oson, lider = service.get_plan("oson-business"), service.get_plan("lider-plus")
    service.check_switch(oson, lider, balance=Money.of_som(55_000))
    with pytest.raises(SwitchNotAllowedError) as caught:
        service.check_switch(lider, oson, balance=Money.of_som(100_000))
    assert caught.value.code == "switch_not_allowed"


def test_switching_is_only_between_start_and_profi_of_one_profession() -> None:
    ustoz_start = service.get_plan("ustoz-start")
    service.check_switch(ustoz_start, service.get_plan("ustoz-profi"), balance=Money.of_som(70_250))
    with pytest.raises(SwitchNotAllowedError):
        service.check_switch(ustoz_start, service.get_plan("shifokor-profi"), balance=Money.of_som(70_250))
    with pytest.raises(SwitchNotAllowedError):
        service.check_switch(ustoz_start, service.get_plan("lider-start"), balance=Money.of_som(70_250))


def test_switching_to_the_same_plan_is_refused() -> None:
    lider = service.get_plan("lider-start")
    with pytest.raises(SwitchNotAllowedError):
        service.check_switch(lider, lider, balance=Money.of_som(100_000))


def test_switching_to_an_archive_plan_is_refused_as_closed() -> None:
    with pytest.raises(PlanClosedError) as caught:
        service.check_switch(service.get_plan("lider-start"), service.get_plan("business-pro-10"), balance=Money.zero())
    assert caught.value.code == "plan_closed"
    assert caught.value.http_status == 409


def test_archive_plans_switch_out_to_lider_where_the_list_says_so() -> None:
    enough = Money.of_som(85_000)
    service.check_switch(service.get_plan("business-gold"), service.get_plan("lider-pro"), balance=enough)
    with pytest.raises(SwitchNotAllowedError):
        service.check_switch(service.get_plan("business-pro-10"), service.get_plan("lider-pro"), balance=enough)


def test_m2m_thresholds() -> None:
    terminal, tuner = service.get_plan("terminal"), service.get_plan("tuner")
    service.check_switch(terminal, tuner, balance=Money.of_som(12_250))
    with pytest.raises(BelowMinimumError) as caught:
        service.check_switch(terminal, tuner, balance=Money.parse("12 249.99"))
    assert caught.value.code == "below_minimum"
    service.check_switch(tuner, terminal, balance=Money.of_som(6_250))
    with pytest.raises(SwitchNotAllowedError):
        service.check_switch(service.get_plan("lider-start"), terminal, balance=Money.of_som(100_000))


def test_minimums() -> None:
    assert service.connection_minimum(service.get_plan("ustoz-start")) == Money.of_som(35_250)
    assert service.connection_minimum(service.get_plan("lider-plus")) == Money.of_som(60_000)  # none stated
    assert service.switch_minimum(service.get_plan("electronics")) == Money.of_som(9_250)
    assert service.switch_minimum(service.get_plan("lider-max")) == Money.of_som(110_000)


def test_normalize_ussd() -> None:
    assert rules.normalize_ussd(" * 110 * 53 # ") == "*110*53#"
