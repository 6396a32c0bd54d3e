"""Validated shapes of the tariff catalogue: plans, bundles, prices, packages, groups, rules.

Every model is frozen and forbids unknown keys, so a typo in a data file fails the
load instead of silently dropping a tariff rule. Money fields hold `Money` (integer
tiyin) parsed from so'm as the price list writes it ("137 035.5"); they serialise
back to so'm as JSON numbers.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from yagona.kernel.errors import InvalidRequestError
from yagona.kernel.money import Money


class Frozen(BaseModel):
    """Base of every catalogue model: immutable, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _parse_money(value: object) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        # pydantic reports only ValueError (not TypeError) as a validation error with its location.
        raise ValueError('an amount of so\'m must be a number or text such as "35 000"')
    try:
        # Money.parse refuses negatives by default: no price, fee or threshold is negative.
        return Money.parse(value)
    except InvalidRequestError as exc:
        raise ValueError(exc.message) from exc


def _money_json(value: Money) -> int | float:
    return value.to_json()


MoneyValue = Annotated[
    Money,
    PlainValidator(_parse_money),
    PlainSerializer(_money_json),
    WithJsonSchema({"type": "number", "description": "so'm, at most two decimals"}),
]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
UssdCode = Annotated[str, Field(pattern=r"^\*\d+(?:\*\d+)*#$")]
Digits = Annotated[str, Field(pattern=r"^[0-9]{1,15}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
IsoPeriod = Literal["P1D", "P7D", "P14D", "P30D", "P1M"]

BundleKey = Literal[
    "minutes",
    "onnet_minutes",
    "offnet_minutes",
    "sms",
    "mb",
    "tasix_mb",
    "intl_minutes",
    "csd_minutes",
    "bonus_onnet_minutes",
    "welcome_minutes",
    "welcome_mb",
]
BUNDLE_KEYS: tuple[str, ...] = get_args(BundleKey)
MINUTE_BUNDLES = frozenset(key for key in BUNDLE_KEYS if key.endswith("minutes"))
# Granted by their own rules (first period, top-up bonus), never as the plan's recurring bundle.
FIRST_MONTH_BUNDLES = frozenset({"welcome_minutes", "welcome_mb"})
RULE_GRANTED_BUNDLES = FIRST_MONTH_BUNDLES | {"bonus_onnet_minutes"}

InternationalZone = Literal["central_asia", "cis", "europe", "asia2", "asia3", "america_africa", "australia"]
SatelliteZone = Literal["sputnik1", "sputnik2", "sputnik3", "sputnik4"]
INTERNATIONAL_ZONES: tuple[str, ...] = get_args(InternationalZone)
SATELLITE_ZONES: tuple[str, ...] = get_args(SatelliteZone)
VOICE_CLASSES: tuple[str, ...] = ("onnet", "offnet", "fixed")

_GB = re.compile(r"^(?P<gb>\d+(?:\.\d+)?)\s*gb$", re.IGNORECASE)


class Bundle(Frozen):
    """An allowance granted each period. Unlimited minutes carry the technical cap as `amount`."""

    amount: int = Field(ge=0)
    unlimited: bool = False
    period: IsoPeriod | None = None  # None: the plan's own period

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any, info: ValidationInfo) -> Any:
        """Accept `3000`, `"10 GB"` and `"unlimited"` as well as the full mapping `{amount, period}`.

        The data files keep the price list's own units (GB, "cheksiz"); the
        conversions take their factors from the catalogue rules via the context.
        """
        context = info.context or {}
        if isinstance(data, bool):
            raise ValueError('a bundle is a number, "N GB", "unlimited" or a mapping')
        if isinstance(data, int):
            return {"amount": data}
        if isinstance(data, str):
            if data.strip().lower() == "unlimited":
                return {"amount": _context_int(context, "unlimited_minutes_cap"), "unlimited": True}
            match = _GB.match(data.strip())
            if match is None:
                raise ValueError(f'{data!r} is not a bundle: write a number, "N GB" or "unlimited"')
            return {"amount": _gb_to_mb(match.group("gb"), context)}
        return data


def _context_int(context: dict[str, Any], key: str) -> int:
    value = context.get(key)
    if not isinstance(value, int):
        raise ValueError(f"the catalogue rules must give {key} to read this bundle")
    return value


def _gb_to_mb(gb: str, context: dict[str, Any]) -> int:
    mb = Decimal(gb) * _context_int(context, "mb_per_gb")
    if mb != mb.to_integral_value():
        raise ValueError(f"{gb} GB is not a whole number of MB")
    return int(mb)


ScopedBundleScope = Literal[
    "corporate_group",  # outgoing calls inside the customer's corporate (closed) group
    "imo_calls",  # IMO audio and video calls
    "social_tasix",  # Facebook, Odnoklassniki and TAS-IX sites
    "messengers",  # Telegram, WhatsApp, Viber
    "music_video",
    "night",  # data used 01:00-09:00
    "roaming_veon",  # roaming in VEON networks
]


class ScopedBundle(Frozen):
    """A bundle limited to a scope the bundle keys do not name (archive plans, add-ons)."""

    scope: ScopedBundleScope
    unit: Literal["minutes", "mb", "sms"]
    amount: int | None = Field(default=None, ge=0)  # None only when unlimited without a cap
    unlimited: bool = False
    period: IsoPeriod | None = None

    @model_validator(mode="after")
    def _amount_or_unlimited(self) -> ScopedBundle:
        if self.amount is None and not self.unlimited:
            raise ValueError("a scoped bundle needs an amount unless it is unlimited")
        return self


class Holiday(Frozen):
    name: str
    month_day: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")] | None  # None: the operator sets the date


class HolidayBundle(Frozen):
    """Ustoz/Shifokor/Harbiy: international minutes granted per week of the professional holiday."""

    bundle: Literal["intl_minutes"]
    amount: int = Field(gt=0)
    period: IsoPeriod
    holiday: Holiday
    countries: tuple[CountryCode, ...]


class Prices(Frozen):
    """Per-unit prices by price class. A listed class is required; null means the plan has no price for it.

    Voice classes are per started minute, `sms` per message, `mb` per megabyte.
    International zone prices already include the city part (price list note 5).
    """

    onnet: MoneyValue | None
    offnet: MoneyValue | None
    fixed: MoneyValue | None
    sms: MoneyValue | None
    mb: MoneyValue | None
    central_asia: MoneyValue | None
    cis: MoneyValue | None
    europe: MoneyValue | None
    asia2: MoneyValue | None
    asia3: MoneyValue | None
    america_africa: MoneyValue | None
    australia: MoneyValue | None
    sputnik1: MoneyValue | None
    sputnik2: MoneyValue | None
    sputnik3: MoneyValue | None
    sputnik4: MoneyValue | None
    sms_international: MoneyValue | None = None
    csd_minute: MoneyValue | None = None
    corporate_group: MoneyValue | None = None

    def for_class(self, price_class: str) -> Money | None:
        """The price of one unit of `price_class` (a field name, as in `Destination.price_class`).

        A short number has no class price: its own price is on the `Destination`.
        """
        if price_class not in type(self).model_fields:
            raise KeyError(price_class)
        value: Money | None = getattr(self, price_class)
        return value


class Switching(Frozen):
    """How a subscriber reaches this plan and where they may go from it."""

    group: Slug
    code: UssdCode | None = None  # dialled to switch TO this plan; None: no switching in by code
    to: tuple[Slug, ...] = ()  # plans a subscriber of this plan may switch to
    min_balance: MoneyValue | None = None  # threshold to switch TO this plan, where the list gives one


class Reload(Frozen):
    """«Perezagruzka»: the next fee early, a new bundle now, the old remainder burns."""

    code: UssdCode
    price: MoneyValue
    minimum_balance: MoneyValue | None = None  # where the list states it; else minimum to connect + price


class Connection(Frozen):
    office_only: bool = False
    proof: Literal["teacher", "medic", "military"] | None = None  # document proving the profession
    regions: tuple[Slug, ...] = ()  # new connections only in these regions; empty: everywhere


class TopupBonus(Frozen):
    """Mening Davram: a single top-up of at least `min_topup` grants bonus minutes."""

    min_topup: MoneyValue
    bundle: Literal["bonus_onnet_minutes"]
    amount: int = Field(gt=0)
    validity: IsoPeriod
    max_balance: int = Field(gt=0)  # never more than this many bonus minutes at once


class Addon(Frozen):
    """An optional paid service of a plan."""

    id: Slug
    name: str
    monthly_fee: MoneyValue
    grants: tuple[ScopedBundle, ...] = ()
    price_after: MoneyValue | None = None  # per unit once the grant is used up


class Service(Frozen):
    name: str
    description: str


class PromoSubscription(Frozen):
    """Beeline TV / Music: free for `free_days` once per number and service, then a daily fee."""

    service: Slug
    free_days: int = Field(gt=0)
    once_per: Literal["number_and_service"]
    daily_fee: MoneyValue
    keeps_term_on_plan_switch: bool
    activation: str
    opt_out: str


class Package(Frozen):
    """A bundle bought on top of a plan (CSD1, CSD2)."""

    id: Slug
    name: str
    bundle: BundleKey
    amount: int = Field(gt=0)
    price: MoneyValue
    minimum_balance: MoneyValue
    code: UssdCode
    validity: IsoPeriod
    stacks: bool  # a new purchase adds to the remainder and restarts the validity
    plans: tuple[Slug, ...]


class Plan(Frozen):
    """One tariff plan of the price list."""

    id: Slug
    name: str
    group: Slug
    status: Literal["open", "closed"]
    closed_since: date | None = None
    period: Literal["P1M", "P14D"]
    billing_anchor: Literal["connection_day", "calendar_month"]
    prorata: bool  # the first fee and bundles are pro rata to the days left in the calendar month
    first_fee: MoneyValue
    monthly_fee: MoneyValue  # the recurring fee per `period` (14 days on the archive Ustoz/Shifokor)
    activation_fee: MoneyValue | None
    minimum_to_connect: MoneyValue | None
    voice: bool = True
    international_calls: bool = True
    bundles: dict[BundleKey, Bundle]
    first_month_bundles: dict[BundleKey, Bundle] = Field(default_factory=dict)
    scoped_bundles: tuple[ScopedBundle, ...] = ()
    holiday_bundle: HolidayBundle | None = None
    prices: Prices
    switching: Switching
    included_services: tuple[Slug, ...] = ()
    promos: tuple[Slug, ...] = ()
    admin_block_daily_fee: MoneyValue | None
    reload: Reload | None
    connection: Connection = Connection()
    topup_bonus: TopupBonus | None = None
    addons: tuple[Addon, ...] = ()
    unconfirmed: tuple[str, ...] = ()  # fields whose value the PDF text lost; a reading fills them
    notes: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        problems = [*self._fee_problems(), *self._bundle_problems(), *self._price_problems()]
        if self.status == "open" and self.closed_since is not None:
            problems.append("an open plan has no closed_since")
        unknown = sorted({path.split(".")[0] for path in self.unconfirmed} - set(type(self).model_fields))
        if unknown:
            problems.append(f"unconfirmed names unknown fields: {', '.join(unknown)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _fee_problems(self) -> list[str]:
        problems = []
        if self.activation_fee is not None and self.first_fee != self.monthly_fee + self.activation_fee:
            problems.append(
                f"first_fee {self.first_fee} is not monthly_fee {self.monthly_fee}"
                f" + activation_fee {self.activation_fee}"
            )
        if self.first_fee < self.monthly_fee:
            problems.append(f"first_fee {self.first_fee} is below monthly_fee {self.monthly_fee}")
        return problems

    def _bundle_problems(self) -> list[str]:
        problems = []
        for key, bundle in self.bundles.items():
            if key in RULE_GRANTED_BUNDLES:
                problems.append(f"bundle {key} is granted by its own rule, not as a recurring bundle")
            if bundle.unlimited and key not in MINUTE_BUNDLES:
                problems.append(f"only minute bundles can be unlimited, not {key}")
        problems += [
            f"first_month_bundles holds only welcome_minutes/welcome_mb, not {key}"
            for key in self.first_month_bundles
            if key not in FIRST_MONTH_BUNDLES
        ]
        return problems

    def _price_problems(self) -> list[str]:
        required = ["sms", "mb"]
        if self.voice:
            required += VOICE_CLASSES
        if self.international_calls:
            required += [*INTERNATIONAL_ZONES, *SATELLITE_ZONES]
        if "csd_minutes" in self.bundles:
            required.append("csd_minute")
        missing = [name for name in required if self.prices.for_class(name) is None]
        # Archive plans keep whatever the (partly lost) price list shows; open plans must be rateable.
        if missing and self.status == "open":
            return [f"an open plan needs prices for {', '.join(missing)}"]
        return []


class Group(Frozen):
    id: Slug
    name: str
    status: Literal["open", "closed"]
    closed_since: date | None = None
    source_pages: Annotated[str, Field(pattern=r"^\d+(?:-\d+)?$")]  # pages of the price list
    notes: tuple[str, ...] = ()


class CatalogueHeader(Frozen):
    """Repeated at the top of every data file; all files of one catalogue carry the same header."""

    version: Annotated[str, Field(min_length=1, max_length=40)]
    effective_date: date
    order: str
    prices_include: tuple[Literal["VAT", "excise"], ...]
    currency: Literal["UZS"]
    source: str


class NightWindow(Frozen):
    start: time
    end: time


class RatingRules(Frozen):
    """Rules every plan shares (the notes under every table of the price list)."""

    timezone: str
    unlimited_minutes_cap: int = Field(gt=0)
    unlimited_per: Literal["subscriber"]
    mb_per_gb: int = Field(gt=0)
    call_unit_seconds: int = Field(gt=0)
    max_call_seconds: int = Field(gt=0)
    incoming_calls_free: bool
    content_services_use_bundle: bool
    night_window: NightWindow


class UssdCodes(Frozen):
    balance: UssdCode
    mb_left: UssdCode
    sms_left: UssdCode
    minutes_left: UssdCode
    welcome_left: UssdCode
    reload: UssdCode
    tv_promo_code: UssdCode
    tv_app: UssdCode


class CatalogueFile(Frozen):
    """`catalogue.yaml`: the header, shared rules, services and promo subscriptions."""

    catalogue: CatalogueHeader
    rules: RatingRules
    ussd: UssdCodes
    services: dict[Slug, Service]
    promo_subscriptions: dict[Slug, PromoSubscription]


class GroupFile(Frozen):
    """One plan-group file. `defaults` are merged under every plan (the plan's own keys win)."""

    catalogue: CatalogueHeader
    group: Group
    defaults: dict[str, Any] = Field(default_factory=dict)
    plans: list[dict[str, Any]] = Field(min_length=1)
    packages: tuple[Package, ...] = ()
