"""Validated shapes of the number plan: prefixes, short numbers, TAS-IX ranges, free
resources and international routes (zones and their prices)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, model_validator

from yagona.catalog.schemas.plans import (
    INTERNATIONAL_ZONES,
    SATELLITE_ZONES,
    CatalogueHeader,
    CountryCode,
    Digits,
    Frozen,
    InternationalZone,
    MoneyValue,
    SatelliteZone,
)

DestinationKind = Literal["onnet", "offnet", "fixed", "international", "satellite", "short"]


class PrefixEntry(Frozen):
    prefixes: tuple[Digits, ...] = Field(min_length=1)
    label: str
    country: CountryCode | None = None


class DomesticPlan(Frozen):
    country_code: Digits
    national_digits: int = Field(gt=0, le=12)
    onnet: tuple[PrefixEntry, ...]
    offnet: tuple[PrefixEntry, ...]
    fixed: tuple[PrefixEntry, ...]


class ShortNumber(Frozen):
    number: Annotated[str, Field(pattern=r"^[0-9]{3,6}$")]
    label: str
    price: MoneyValue | None  # the service's own price per unit; None: not published
    unit: Literal["minute", "sms", "call"]


class ShortNumbers(Frozen):
    sample: bool
    entries: tuple[ShortNumber, ...]


class TasixRanges(Frozen):
    sample: bool
    ranges: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


class FreeResources(Frozen):
    sample: bool
    hosts: tuple[Annotated[str, Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")], ...]


class Route(Frozen):
    """Where one prefix leads: the destination kind, its price class and a label."""

    kind: DestinationKind
    price_class: str
    label: str
    country: CountryCode | None = None


class NumberPlan(Frozen):
    """Longest-prefix number plan; prefixes are full international digits without `+`."""

    catalogue: CatalogueHeader
    domestic: DomesticPlan
    international: dict[InternationalZone, tuple[PrefixEntry, ...]]
    satellite: dict[SatelliteZone, PrefixEntry]
    short_numbers: ShortNumbers
    tasix: TasixRanges
    free_resources: FreeResources
    _routes: dict[str, Route] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> NumberPlan:
        routes: dict[str, Route] = {}
        duplicates: list[str] = []
        for prefix, route in self._entries():
            if prefix in routes:
                duplicates.append(prefix)
            routes[prefix] = route
        missing_zones = sorted(set(INTERNATIONAL_ZONES) - set(self.international)) + sorted(
            set(SATELLITE_ZONES) - set(self.satellite)
        )
        problems = [f"prefix {prefix} is listed twice" for prefix in duplicates]
        problems += [f"zone {zone} has no prefixes" for zone in missing_zones]
        problems += [
            f"domestic prefix {p} does not start with {self.domestic.country_code}"
            for entries in (self.domestic.onnet, self.domestic.offnet, self.domestic.fixed)
            for entry in entries
            for p in entry.prefixes
            if not p.startswith(self.domestic.country_code)
        ]
        if problems:
            raise ValueError("; ".join(problems))
        self._routes = routes
        return self

    def _entries(self) -> list[tuple[str, Route]]:
        found: list[tuple[str, Route]] = []
        domestic: dict[DestinationKind, tuple[PrefixEntry, ...]] = {
            "onnet": self.domestic.onnet,
            "offnet": self.domestic.offnet,
            "fixed": self.domestic.fixed,
        }
        for kind, entries in domestic.items():
            found += [
                (p, Route(kind=kind, price_class=kind, label=e.label, country="UZ"))
                for e in entries
                for p in e.prefixes
            ]
        for zone, entries in self.international.items():
            found += [
                (p, Route(kind="international", price_class=zone, label=e.label, country=e.country))
                for e in entries
                for p in e.prefixes
            ]
        for sat_zone, entry in self.satellite.items():
            found += [(p, Route(kind="satellite", price_class=sat_zone, label=entry.label)) for p in entry.prefixes]
        return found

    @property
    def routes(self) -> dict[str, Route]:
        """Prefix → route; read-only by convention (the model is frozen, the dict is its index)."""
        return self._routes


class Destination(Frozen):
    """A classified number: what kind of destination it is and which price applies."""

    number: str  # normalised: international digits without `+`, or the short number
    kind: DestinationKind
    price_class: str  # a `Prices` field (onnet, offnet, fixed, a zone, a sputnik zone) or "short"
    prefix: str
    label: str
    country: CountryCode | None = None
    price: MoneyValue | None = None  # a short number's own price, where published
