"""Public REST of the catalogue, twice:

- `/api/v1/catalog/plans` — Yagona's own convention (docs/api.md): snake_case, so'm as JSON
  numbers with the unit in the schema;
- `/tmf-api/productCatalogManagement/v4/productOffering` — the TM Forum TMF620 shape
  (camelCase, `@type`), for systems that speak it; its `href`s point there.

Both are public: a price list is no secret.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from yagona.catalog import service
from yagona.catalog.schemas import Plan
from yagona.platform.api import ApiRead, Som

router = APIRouter(tags=["catalog"])
tmf_router = APIRouter(tags=["tmf620"])
TMF620 = "/tmf-api/productCatalogManagement/v4/productOffering"
PlanId = Annotated[str, Path(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]


class BundleView(ApiRead):
    quantity: int = Field(description="minutes, SMS or MB (the bundle's key says which)")
    unlimited: bool
    period: str | None = Field(description="ISO 8601 period; null: the plan's own")


class SwitchingView(ApiRead):
    code: str | None = Field(description="USSD code that switches a line TO this plan")
    to: list[str]
    min_balance: Som | None


class PlanView(ApiRead):
    id: str
    name: str
    group: str
    status: Literal["open", "closed"]
    closed_since: date | None
    description: str
    period: str
    billing_anchor: str
    prorata: bool
    first_fee: Som
    monthly_fee: Som
    activation_fee: Som | None
    minimum_to_connect: Som
    voice: bool
    international_calls: bool
    bundles: dict[str, BundleView]
    first_month_bundles: dict[str, BundleView]
    prices: dict[str, Som | None] = Field(description="per unit (minute, SMS, MB) by price class")
    switching: SwitchingView


def plan_view(plan: Plan) -> PlanView:
    def bundles(source: dict[Any, Any]) -> dict[str, BundleView]:
        return {
            key: BundleView(quantity=bundle.amount, unlimited=bundle.unlimited, period=bundle.period)
            for key, bundle in source.items()
        }

    return PlanView(
        id=plan.id,
        name=plan.name,
        group=plan.group,
        status=plan.status,
        closed_since=plan.closed_since,
        description=service.describe_bundles(plan),
        period=plan.period,
        billing_anchor=plan.billing_anchor,
        prorata=plan.prorata,
        first_fee=plan.first_fee,
        monthly_fee=plan.monthly_fee,
        activation_fee=plan.activation_fee,
        minimum_to_connect=service.connection_minimum(plan),
        voice=plan.voice,
        international_calls=plan.international_calls,
        bundles=bundles(plan.bundles),
        first_month_bundles=bundles(plan.first_month_bundles),
        prices={name: plan.prices.for_class(name) for name in type(plan.prices).model_fields},
        switching=SwitchingView(
            code=plan.switching.code, to=list(plan.switching.to), min_balance=plan.switching.min_balance
        ),
    )


@router.get("/api/v1/catalog/plans")
def list_plans(include_closed: bool = True) -> list[PlanView]:
    """Every plan in the order of the price list; archive plans (`status: closed`) unless excluded."""
    return [plan_view(plan) for plan in service.list_plans(include_closed=include_closed)]


@router.get("/api/v1/catalog/plans/{plan_id}")
def get_plan(plan_id: PlanId) -> PlanView:
    return plan_view(service.get_plan(plan_id))


class ProductOffering(BaseModel):
    """TMF620 ProductOffering as TM Forum shapes it (camelCase; prices in `{unit: UZS, value}`
    so'm); the fields named here are always present, the rest follow the specification."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)
    id: str
    href: str
    name: str
    lifecycle_status: Literal["Active", "Retired"] = Field(alias="lifecycleStatus")
    is_sellable: bool = Field(alias="isSellable")


@tmf_router.get(TMF620, response_model=list[ProductOffering])
def list_product_offerings(
    include_closed: Annotated[bool, Query(alias="includeClosed")] = True,
) -> list[dict[str, Any]]:
    """TMF620: every plan as a ProductOffering; archive plans are `Retired`."""
    return [service.to_tmf620(plan) for plan in service.list_plans(include_closed=include_closed)]


@tmf_router.get(TMF620 + "/{plan_id}", response_model=ProductOffering)
def get_product_offering(plan_id: PlanId) -> dict[str, Any]:
    """TMF620: one plan as a ProductOffering."""
    return service.to_tmf620(service.get_plan(plan_id))
