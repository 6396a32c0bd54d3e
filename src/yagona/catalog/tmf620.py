"""Private: a plan as a TM Forum TMF620 v4 ProductOffering (the shape of the REST catalogue).

Prices are embedded as full ProductOfferingPrice values rather than bare references,
so one document describes the whole plan; bundles are characteristic value uses.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from yagona.catalog.schemas import Bundle, Catalogue, Plan, Prices
from yagona.kernel.money import Money

DEFAULT_BASE_URL = "/tmf-api/productCatalogManagement/v4"
_UNITS = {"sms": "SMS", "mb": "MB", "tasix_mb": "MB", "welcome_mb": "MB"}
_USAGE_UNITS = {"sms": "SMS", "sms_international": "SMS", "mb": "MB"}
_PERIOD_WORDS = {"P1D": "day", "P7D": "7 days", "P14D": "14 days", "P30D": "30 days", "P1M": "month"}


def product_offering(catalogue: Catalogue, plan: Plan, *, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    zone = ZoneInfo(catalogue.rules.timezone)
    href = f"{base_url.rstrip('/')}/productOffering/{plan.id}"
    group_name = next((group.name for group in catalogue.groups if group.id == plan.group), plan.group)
    valid_for = {"startDateTime": _at_midnight(catalogue.header.effective_date, zone)}
    if plan.closed_since is not None:
        valid_for["endDateTime"] = _at_midnight(plan.closed_since, zone)
    return {
        "id": plan.id,
        "href": href,
        "name": plan.name,
        "description": describe_bundles(plan),
        "version": catalogue.header.version,
        "lastUpdate": _at_midnight(catalogue.header.effective_date, zone),
        "lifecycleStatus": "Active" if plan.is_open else "Retired",
        "isBundle": False,
        "isSellable": plan.is_open,
        "validFor": valid_for,
        "category": [{"id": plan.group, "name": group_name, "@referredType": "Category"}],
        "productOfferingTerm": [_term(plan)],
        "productOfferingPrice": _prices(plan, href),
        "prodSpecCharValueUse": [
            *(_characteristic(key, bundle, _PERIOD_WORDS[plan.period]) for key, bundle in plan.bundles.items()),
            *(_characteristic(key, bundle, "first period") for key, bundle in plan.first_month_bundles.items()),
        ],
        "@type": "ProductOffering",
    }


def describe_bundles(plan: Plan) -> str:
    """`"3 000 minutes, 500 SMS, 10 240 MB per month"` — the bundles in one line."""
    parts = [_describe(key, bundle) for key, bundle in plan.bundles.items()]
    text = ", ".join(parts) if parts else "no bundle"
    return f"{text} per {_PERIOD_WORDS[plan.period]}"


def _describe(key: str, bundle: Bundle) -> str:
    label = key.replace("_", " ")
    if key == "sms":
        label = "SMS"
    elif key == "mb":
        label = "MB"
    if bundle.unlimited:
        return f"unlimited {label} (cap {bundle.amount:,})".replace(",", " ")
    amount = f"{bundle.amount:,}".replace(",", " ")
    return f"{amount} {label}" + (f" per {_PERIOD_WORDS[bundle.period]}" if bundle.period else "")


def _term(plan: Plan) -> dict[str, Any]:
    duration = {"amount": 14, "units": "day"} if plan.period == "P14D" else {"amount": 1, "units": "month"}
    description = f"billing period, anchored on the {plan.billing_anchor.replace('_', ' ')}"
    return {"name": "period", "description": description, "duration": duration}


def _prices(plan: Plan, href: str) -> list[dict[str, Any]]:
    recurring_days = plan.period == "P14D"
    first_description = "charged on connection in place of the first recurring fee"
    if plan.activation_fee is not None:
        first_description += f"; includes the activation fee of {plan.activation_fee}"
    if plan.prorata:
        first_description += "; pro rata to the days left in the calendar month"
    prices = [
        _price(href, plan.id, "recurring", "Fee per period", plan.monthly_fee)
        | {
            "priceType": "recurring",
            "recurringChargePeriodType": "day" if recurring_days else "month",
            "recurringChargePeriodLength": 14 if recurring_days else 1,
        },
        _price(href, plan.id, "first-fee", "First fee", plan.first_fee)
        | {"priceType": "oneTime", "description": first_description},
    ]
    for price_class in Prices.model_fields:
        amount = plan.prices.for_class(price_class)
        if amount is None:
            continue
        unit = _USAGE_UNITS.get(price_class, "minute")
        prices.append(
            _price(href, plan.id, f"usage-{price_class}", f"Usage: {price_class}", amount)
            | {"priceType": "usage", "unitOfMeasure": {"amount": 1, "units": unit}}
        )
    return prices


def _price(href: str, plan_id: str, suffix: str, name: str, amount: Money) -> dict[str, Any]:
    return {
        "id": f"{plan_id}-{suffix}",
        "href": f"{href}/productOfferingPrice/{plan_id}-{suffix}",
        "name": name,
        "price": {"unit": "UZS", "value": amount.to_json()},
        "@type": "ProductOfferingPrice",
    }


def _characteristic(key: str, bundle: Bundle, period: str) -> dict[str, Any]:
    unit = _UNITS.get(key, "minute")
    per = _PERIOD_WORDS[bundle.period] if bundle.period else period
    description = f"{'unlimited, technical cap ' if bundle.unlimited else ''}{bundle.amount} {unit} per {per}"
    return {
        "name": key,
        "description": description,
        "valueType": "integer",
        "productSpecCharacteristicValue": [
            {"isDefault": True, "value": bundle.amount, "unitOfMeasure": unit, "valueType": "integer"}
        ],
        "@type": "ProductSpecificationCharacteristicValueUse",
    }


def _at_midnight(day: date, zone: ZoneInfo) -> str:
    return datetime.combine(day, time(0), tzinfo=zone).isoformat()
