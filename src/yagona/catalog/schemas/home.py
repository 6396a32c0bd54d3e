"""Validated shapes of the home catalogue: home-internet plans, IPTV packages and equipment
rented by the month (`catalog/data/home/home.yaml`).

The seeds carry no home price list: every item of the shipped file is demo data
(`demo: true`), which an operator replaces by editing the data file alone. Models are frozen
and refuse unknown keys, as the mobile catalogue's; money is `Money` parsed from so'm.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from yagona.catalog.schemas.plans import Frozen, MoneyValue, Slug

ItemStatus = Literal["open", "closed"]


class LocalText(Frozen):
    """A name in the three languages of the product."""

    uz: str = Field(min_length=1, max_length=120)
    ru: str = Field(min_length=1, max_length=120)
    en: str = Field(min_length=1, max_length=120)

    def get(self, language: str) -> str:
        return {"uz": self.uz, "ru": self.ru, "en": self.en}.get(language, self.uz)


class HomeItem(Frozen):
    """What every item shares: an id, a name, a monthly fee, open or closed, demo or not."""

    id: Slug
    name: LocalText
    monthly_fee: MoneyValue
    status: ItemStatus = "open"
    demo: bool

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class HomePlan(HomeItem):
    """A home-internet plan: unlimited traffic at `speed_mbps`; `night_speed_mbps` the speed
    of the night (00:00-08:00) when the plan lifts its cap, `tasix_mbps` the speed to TAS-IX."""

    speed_mbps: int = Field(gt=0, le=10_000)
    night_unlimited: bool
    night_speed_mbps: int | None = Field(default=None, gt=0, le=10_000)
    tasix_mbps: int = Field(gt=0, le=10_000)

    @model_validator(mode="after")
    def _night(self) -> HomePlan:
        if self.night_unlimited != (self.night_speed_mbps is not None):
            raise ValueError("night_speed_mbps is given exactly when night_unlimited is true")
        return self


class IptvPackage(HomeItem):
    """An IPTV channel bundle, an add-on billed with the home account."""

    channels: int = Field(gt=0, le=2000)


class Equipment(HomeItem):
    """A device rented by the month (a Wi-Fi router, a set-top box)."""

    kind: Literal["router", "set_top_box"]


class HomeHeader(Frozen):
    version: str = Field(min_length=1, max_length=40)
    effective_date: date
    currency: Literal["UZS"]
    demo: bool
    source: str = Field(min_length=1, max_length=300)


class HomeCatalogue(Frozen):
    catalogue: HomeHeader
    plans: tuple[HomePlan, ...] = Field(min_length=1)
    iptv_packages: tuple[IptvPackage, ...] = ()
    equipment: tuple[Equipment, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> HomeCatalogue:
        ids = [item.id for item in (*self.plans, *self.iptv_packages, *self.equipment)]
        repeated = sorted({item for item in ids if ids.count(item) > 1})
        if repeated:
            raise ValueError(f"ids must be unique across plans, packages and equipment: {', '.join(repeated)}")
        return self

    def plan(self, plan_id: str) -> HomePlan | None:
        return next((plan for plan in self.plans if plan.id == plan_id), None)

    def package(self, package_id: str) -> IptvPackage | None:
        return next((package for package in self.iptv_packages if package.id == package_id), None)

    def device(self, equipment_id: str) -> Equipment | None:
        return next((device for device in self.equipment if device.id == equipment_id), None)
