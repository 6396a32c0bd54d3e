"""Public use cases of the catalogue. Read-only: the catalogue changes by editing its data files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yagona.catalog import repository, rules, tmf620
from yagona.catalog.errors import CatalogueInvalidError, PlanNotFoundError
from yagona.catalog.schemas import Catalogue, Destination, Package, Plan
from yagona.kernel.money import Money


def get_catalogue() -> Catalogue:
    """The whole shipped catalogue: plans, groups, packages, shared rules, number plan."""
    return repository.load_catalogue()


def list_plans(*, include_closed: bool = True) -> list[Plan]:
    """Every plan in the order of the price list; archive plans only when `include_closed`."""
    return [plan for plan in get_catalogue().plans if include_closed or plan.is_open]


def get_plan(plan_id: str) -> Plan:
    """The plan with this id. Raises `PlanNotFoundError`."""
    plan = get_catalogue().plan(plan_id)
    if plan is None:
        raise PlanNotFoundError(f"no plan {plan_id!r} in the catalogue", plan=plan_id)
    return plan


def find_plan_by_switch_code(code: str) -> Plan | None:
    """The plan a USSD switch code (`*110*721#`, spaces allowed) leads to, or None."""
    wanted = rules.normalize_ussd(code)
    return next((plan for plan in get_catalogue().plans if plan.switching.code == wanted), None)


def find_package_by_code(code: str) -> Package | None:
    """The package a USSD code (`*110*53#`) buys, or None."""
    wanted = rules.normalize_ussd(code)
    return next((package for package in get_catalogue().packages if package.code == wanted), None)


def classify_number(msisdn: str) -> Destination:
    """Classify a dialled number by the shipped number plan. Raises `InvalidRequestError`."""
    return rules.classify_number(get_catalogue().number_plan, msisdn)


def is_tasix(ip: str) -> bool:
    """Whether traffic to `ip` is TAS-IX traffic by the shipped ranges. Raises `InvalidRequestError`."""
    return rules.is_tasix(get_catalogue().number_plan.tasix.ranges, ip)


def is_free_resource(host: str) -> bool:
    """Whether `host` is one of the free state and socially important resources."""
    return rules.is_free_resource(get_catalogue().number_plan.free_resources.hosts, host)


def check_switch(from_plan: Plan, to_plan: Plan, *, balance: Money) -> None:
    """Return None when the price list allows the switch, else raise why not.

    Raises `SwitchNotAllowedError`, `PlanClosedError` or `BelowMinimumError`.
    """
    rules.may_switch(from_plan, to_plan, balance.tiyin)


def connection_minimum(plan: Plan) -> Money:
    """The balance a new line needs to connect to `plan`."""
    return rules.connection_minimum(plan)


def switch_minimum(plan: Plan) -> Money:
    """The balance a line needs to switch to `plan`."""
    return rules.switch_minimum(plan)


def validate(path: Path | None = None) -> list[str]:
    """Problems of the catalogue at `path` (the shipped one when None); empty when it is valid."""
    try:
        repository.read_catalogue(path)
    except CatalogueInvalidError as exc:
        return exc.problems
    return []


def to_tmf620(plan: Plan, *, base_url: str = tmf620.DEFAULT_BASE_URL) -> dict[str, Any]:
    """The plan as a TMF620 v4 ProductOffering (prices in UZS, bundles as characteristic value uses)."""
    return tmf620.product_offering(get_catalogue(), plan, base_url=base_url)


def describe_bundles(plan: Plan) -> str:
    """The plan's bundles in one line: `"3 000 minutes, 500 SMS, 10 240 MB per month"`."""
    return tmf620.describe_bundles(plan)
