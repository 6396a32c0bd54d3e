"""The home catalogue (home internet, IPTV packages, rented equipment): loaded from
`data/home/home.yaml`, validated, cached; looked up by the home domain.

A separate file beside the mobile price list (whose loader reads only `data/*.yaml`), so an
operator replaces the demo home data without touching the mobile catalogue. Every problem
is reported at once (`CatalogueInvalidError`), as the mobile loader does.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from importlib.resources.abc import Traversable

import yaml
from pydantic import ValidationError

from yagona.catalog.errors import CatalogueInvalidError, PlanClosedError, PlanNotFoundError
from yagona.catalog.schemas.home import Equipment, HomeCatalogue, HomePlan, IptvPackage

HOME_FILE = "home.yaml"
MAX_FILE_BYTES = 1_000_000


def default_file() -> Traversable:
    return files("yagona.catalog") / "data" / "home" / HOME_FILE


def read_home_catalogue(source: Traversable | None = None) -> HomeCatalogue:
    """Read and validate a home catalogue file (the shipped one when None), uncached."""
    path = source if source is not None else default_file()
    if not path.is_file():
        raise CatalogueInvalidError([f"{path}: missing"])
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise CatalogueInvalidError([f"{HOME_FILE}: larger than {MAX_FILE_BYTES} bytes"])
    try:
        document = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogueInvalidError([f"{HOME_FILE}: not valid YAML: {exc}"]) from None
    try:
        return HomeCatalogue.model_validate(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            location = ".".join(str(part) for part in error["loc"])
            problems.append(f"{HOME_FILE}: {location}: {error['msg'].removeprefix('Value error, ')}")
        raise CatalogueInvalidError(problems) from None


@functools.cache
def get_home_catalogue() -> HomeCatalogue:
    """The shipped home catalogue, loaded once."""
    return read_home_catalogue()


def get_home_plan(plan_id: str, *, to_join: bool = False) -> HomePlan:
    """The plan; `not_found` when unknown; `plan_closed` when `to_join` and it is closed."""
    plan = get_home_catalogue().plan(plan_id)
    if plan is None:
        raise PlanNotFoundError(f"no home-internet plan {plan_id!r}", plan=plan_id)
    if to_join and not plan.is_open:
        raise PlanClosedError(f"{plan.name.en} is closed to new connections", plan=plan.id)
    return plan


def get_iptv_package(package_id: str, *, to_join: bool = False) -> IptvPackage:
    package = get_home_catalogue().package(package_id)
    if package is None:
        raise PlanNotFoundError(f"no IPTV package {package_id!r}", plan=package_id)
    if to_join and not package.is_open:
        raise PlanClosedError(f"{package.name.en} is closed to new subscriptions", plan=package.id)
    return package


def get_equipment(equipment_id: str, *, to_join: bool = False) -> Equipment:
    device = get_home_catalogue().device(equipment_id)
    if device is None:
        raise PlanNotFoundError(f"no rented equipment {equipment_id!r}", plan=equipment_id)
    if to_join and not device.is_open:
        raise PlanClosedError(f"{device.name.en} is no longer rented out", plan=device.id)
    return device
