"""Validated shapes of the tariff catalogue: plans, bundles, prices, packages, number plan.

Every model is frozen and forbids unknown keys, so a typo in a data file fails the
load instead of silently dropping a tariff rule. Money fields hold `Money` (integer
tiyin) parsed from so'm as the price list writes it ("137 035.5"); they serialise
back to so'm as JSON numbers. `plans` holds the plans and their parts, `numbers` the
number plan; this module the whole catalogue, cross-checked.
"""

from __future__ import annotations

from pydantic import PrivateAttr, model_validator

from yagona.catalog.schemas.numbers import (
    Destination,
    DestinationKind,
    DomesticPlan,
    FreeResources,
    NumberPlan,
    PrefixEntry,
    Route,
    ShortNumber,
    ShortNumbers,
    TasixRanges,
)
from yagona.catalog.schemas.plans import (
    BUNDLE_KEYS,
    FIRST_MONTH_BUNDLES,
    INTERNATIONAL_ZONES,
    MINUTE_BUNDLES,
    RULE_GRANTED_BUNDLES,
    SATELLITE_ZONES,
    VOICE_CLASSES,
    Addon,
    Bundle,
    BundleKey,
    CatalogueFile,
    CatalogueHeader,
    Connection,
    CountryCode,
    Digits,
    Frozen,
    Group,
    GroupFile,
    Holiday,
    HolidayBundle,
    InternationalZone,
    IsoPeriod,
    MoneyValue,
    NightWindow,
    Package,
    Plan,
    Prices,
    PromoSubscription,
    RatingRules,
    Reload,
    SatelliteZone,
    ScopedBundle,
    Service,
    Slug,
    Switching,
    TopupBonus,
    UssdCode,
    UssdCodes,
)

__all__ = [
    "BUNDLE_KEYS", "FIRST_MONTH_BUNDLES", "INTERNATIONAL_ZONES", "MINUTE_BUNDLES", "RULE_GRANTED_BUNDLES",
    "SATELLITE_ZONES", "VOICE_CLASSES", "Addon", "Bundle", "BundleKey", "Catalogue", "CatalogueFile",
    "CatalogueHeader", "Connection", "CountryCode", "Destination", "DestinationKind", "Digits", "DomesticPlan",
    "FreeResources", "Frozen", "Group", "GroupFile", "Holiday", "HolidayBundle", "InternationalZone", "IsoPeriod",
    "MoneyValue", "NightWindow", "NumberPlan", "Package", "Plan", "PrefixEntry", "Prices", "PromoSubscription",
    "RatingRules", "Reload", "Route", "SatelliteZone", "ScopedBundle", "Service", "ShortNumber", "ShortNumbers",
    "Slug", "Switching", "TasixRanges", "TopupBonus", "UssdCode", "UssdCodes", "cross_check",
]  # fmt: skip


class Catalogue(Frozen):
    """Every plan, group, package and rule of one catalogue version, cross-checked."""

    header: CatalogueHeader
    rules: RatingRules
    ussd: UssdCodes
    services: dict[Slug, Service]
    promo_subscriptions: dict[Slug, PromoSubscription]
    groups: tuple[Group, ...]
    plans: tuple[Plan, ...]
    packages: tuple[Package, ...]
    number_plan: NumberPlan
    _by_id: dict[str, Plan] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _cross_check(self) -> Catalogue:
        problems = cross_check(self)
        if problems:
            raise ValueError("; ".join(problems))
        self._by_id = {plan.id: plan for plan in self.plans}
        return self

    def plan(self, plan_id: str) -> Plan | None:
        return self._by_id.get(plan_id)


def cross_check(catalogue: Catalogue) -> list[str]:
    """Problems that only show across plans and files: duplicates and dangling references."""
    problems: list[str] = []
    plan_ids = [plan.id for plan in catalogue.plans]
    group_ids = [group.id for group in catalogue.groups]
    problems += [f"plan id {plan_id} is used twice" for plan_id in _duplicates(plan_ids)]
    problems += [f"group id {group_id} is used twice" for group_id in _duplicates(group_ids)]
    codes = [plan.switching.code for plan in catalogue.plans if plan.switching.code] + [
        package.code for package in catalogue.packages
    ]
    problems += [f"USSD code {code} is used twice" for code in _duplicates(codes)]
    known, groups = set(plan_ids), set(group_ids)
    for plan in catalogue.plans:
        if plan.group not in groups:
            problems.append(f"plan {plan.id}: unknown group {plan.group}")
        problems += [f"plan {plan.id}: unknown switch target {t}" for t in plan.switching.to if t not in known]
        problems += [
            f"plan {plan.id}: unknown service {s}" for s in plan.included_services if s not in catalogue.services
        ]
        problems += [
            f"plan {plan.id}: unknown promo {p}" for p in plan.promos if p not in catalogue.promo_subscriptions
        ]
    for package in catalogue.packages:
        problems += [f"package {package.id}: unknown plan {p}" for p in package.plans if p not in known]
    for promo_id, promo in catalogue.promo_subscriptions.items():
        if promo.service not in catalogue.services:
            problems.append(f"promo {promo_id}: unknown service {promo.service}")
    if catalogue.number_plan.catalogue != catalogue.header:
        problems.append("number plan: header differs from catalogue.yaml")
    return problems


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated
