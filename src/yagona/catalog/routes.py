"""Public REST of the catalogue, in the shape of TMF620 product offerings.

The same resources answer at our own path and at the TMF620 path their `href` names.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from yagona.catalog import service

router = APIRouter(tags=["catalog"])
TMF620 = "/tmf-api/productCatalogManagement/v4/productOffering"


@router.get("/api/v1/catalog/plans")
@router.get(TMF620, include_in_schema=False)
def list_plans(include_closed: Annotated[bool, Query(alias="includeClosed")] = True) -> list[dict[str, Any]]:
    """Every plan as a TMF620 ProductOffering; archive plans are `Retired`."""
    return [service.to_tmf620(plan) for plan in service.list_plans(include_closed=include_closed)]


@router.get("/api/v1/catalog/plans/{plan_id}")
@router.get(TMF620 + "/{plan_id}", include_in_schema=False)
def get_plan(plan_id: str) -> dict[str, Any]:
    return service.to_tmf620(service.get_plan(plan_id))
