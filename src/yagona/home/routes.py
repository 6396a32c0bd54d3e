"""REST of home internet and IPTV.

- `/api/v1/me/home` — the customer's own accounts (One ID: the session cookie, or a bearer
  token with the scope `home`). Another customer's contract is 404, as a missing one.
- `/api/v1/home` — the staff (the staff key): pending requests, activate or close them, money
  paid in at a desk.

An account is answered in a TMF637-like Product shape (`id`, `href`, `status`,
`productOffering`, `productCharacteristic`, `productPrice`) with Yagona's own fields beside.
Money paid from the wallet is the wallet's payment to `home-internet` / `iptv`, not an
endpoint here (home and wallet are siblings).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from yagona.catalog import home as catalogue
from yagona.home import service
from yagona.home.schemas import HomeAccountState
from yagona.kernel.money import Money
from yagona.platform.api import ApiModel, ApiRead, Som, SomPositive, Timestamp, idempotency_key
from yagona.platform.auth import Principal, require_customer, require_staff
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

ContractPath = Annotated[str, Path(pattern=r"^1\d{7}$", examples=["10000001"], description="8 digits starting with 1")]
ItemId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
ItemPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]

_PROBLEM = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}
CUSTOMER_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in: no One ID session or bearer token", **_PROBLEM},
    403: {"description": "the token lacks the scope `home`", **_PROBLEM},
    404: {"description": "no such contract on your One ID, or no such plan or package", **_PROBLEM},
    409: {"description": "refused by the rules: plan closed, contract closed, insufficient funds", **_PROBLEM},
    422: {"description": "the request is not valid", **_PROBLEM},
}
STAFF_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no staff key, or a wrong one", **_PROBLEM},
    404: {"description": "no such contract", **_PROBLEM},
    409: {"description": "identity not verified, or the contract is not in that state", **_PROBLEM},
    422: {"description": "the request is not valid", **_PROBLEM},
}
# TMF637 product states for ours.
TMF_STATUS: dict[str, str] = {
    "pending_identity": "pendingActive",
    "active": "active",
    "suspended": "suspended",
    "closed": "terminated",
}


class HomeRequest(ApiModel):
    address: str = Field(min_length=5, max_length=service.ADDRESS_MAX)
    plan: ItemId
    equipment: list[ItemId] = Field(default_factory=list, max_length=5)
    packages: list[ItemId] = Field(default_factory=list, max_length=20)


class PlanChange(ApiModel):
    plan: ItemId


class PackageAdd(ApiModel):
    package: ItemId


class TopUpCreate(ApiModel):
    amount: SomPositive


class Characteristic(ApiRead):
    name: str
    value: str | int | bool


class ProductPrice(ApiRead):
    name: str
    price_type: Literal["recurringCharge"] = "recurringCharge"
    recurring_charge_period: Literal["month"] = "month"
    price: Som


class PackageView(ApiRead):
    id: str
    monthly_fee: Som
    added_at: Timestamp


class HomeView(ApiRead):
    id: str = Field(description="the contract number")
    href: str
    status: str = Field(description="TMF637: pendingActive, active, suspended, terminated")
    state: str = Field(description="pending_identity, active, suspended, closed")
    iptv_number: str
    address: str
    product_offering: dict[str, str]
    next_plan: str | None = Field(description="the plan of the next period, when a change waits for it")
    product_characteristic: list[Characteristic]
    product_price: list[ProductPrice]
    packages: list[PackageView]
    balance: Som
    period_fee: Som
    next_fee: Som = Field(description="what the next period costs (its plan, equipment, packages)")
    next_charge_at: Timestamp | None = Field(description="start of the night window in which the next fee falls due")
    requested_at: Timestamp
    activated_at: Timestamp | None

    @classmethod
    def of(cls, account: HomeAccountState, *, base: str) -> HomeView:
        plan = catalogue.get_home_plan(account.plan)
        devices = [catalogue.get_equipment(device) for device in account.equipment]
        return cls(
            id=account.contract,
            href=f"{base}/{account.contract}",
            status=TMF_STATUS[account.state],
            state=account.state,
            iptv_number=account.iptv_number,
            address=account.address,
            product_offering={"id": plan.id, "name": plan.name.en},
            next_plan=account.next_plan,
            product_characteristic=[
                Characteristic(name="speed_mbps", value=plan.speed_mbps),
                Characteristic(name="tasix_mbps", value=plan.tasix_mbps),
                Characteristic(name="night_unlimited", value=plan.night_unlimited),
                Characteristic(name="demo", value=plan.demo),
            ],
            product_price=[
                ProductPrice(name=plan.id, price=plan.monthly_fee),
                *(ProductPrice(name=device.id, price=device.monthly_fee) for device in devices),
                *(ProductPrice(name=p.id, price=Money(p.monthly_fee_tiyin)) for p in account.packages),
            ],
            packages=[
                PackageView(id=p.id, monthly_fee=Money(p.monthly_fee_tiyin), added_at=p.added_at)
                for p in account.packages
            ],
            balance=Money(account.balance_tiyin),
            period_fee=Money(account.period_fee_tiyin),
            next_fee=Money(account.next_fee_tiyin),
            next_charge_at=account.next_charge_at,
            requested_at=account.requested_at,
            activated_at=account.activated_at,
        )


ME = "/api/v1/me/home"
STAFF = "/api/v1/home/accounts"
me_router = APIRouter(prefix=ME, tags=["my home internet"], responses=CUSTOMER_PROBLEMS)
router = APIRouter(
    prefix="/api/v1/home",
    tags=["home internet (staff)"],
    dependencies=[Depends(require_staff)],
    responses=STAFF_PROBLEMS,
)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Customer = Annotated[Principal, Depends(require_customer("home"))]


@me_router.get("")
def my_accounts(principal: Customer, uow: Uow) -> list[HomeView]:
    """Every home account of the profile."""
    return [HomeView.of(a, base=ME) for a in service.accounts_of(uow, customer_id=principal.customer_id)]


@me_router.post("", status_code=201)
def request_home(body: HomeRequest, principal: Customer, uow: Uow) -> HomeView:
    """Ask for home internet at an address: it waits for the national OneID check
    (`pendingActive`), or starts at once when the profile is verified."""
    account = service.request_connection(
        uow,
        customer_id=principal.customer_id,
        address=body.address,
        plan_id=body.plan,
        equipment=body.equipment,
        packages=body.packages,
    )
    uow.commit()
    return HomeView.of(account, base=ME)


@me_router.get("/{contract}")
def my_account(contract: ContractPath, principal: Customer, uow: Uow) -> HomeView:
    return HomeView.of(service.own_account(uow, customer_id=principal.customer_id, contract=contract), base=ME)


@me_router.post("/{contract}/plan")
def change_plan(contract: ContractPath, body: PlanChange, principal: Customer, uow: Uow) -> HomeView:
    """A new plan from the next period (at once when no period runs)."""
    service.own_account(uow, customer_id=principal.customer_id, contract=contract)
    account = service.change_plan(uow, contract=contract, plan_id=body.plan)
    uow.commit()
    return HomeView.of(account, base=ME)


@me_router.post("/{contract}/packages")
def add_package(contract: ContractPath, body: PackageAdd, principal: Customer, uow: Uow) -> HomeView:
    """An IPTV package: its share of the running period now, then billed with the account."""
    service.own_account(uow, customer_id=principal.customer_id, contract=contract)
    account = service.add_package(uow, contract=contract, package_id=body.package)
    uow.commit()
    return HomeView.of(account, base=ME)


@me_router.delete("/{contract}/packages/{package}")
def remove_package(contract: ContractPath, package: ItemPath, principal: Customer, uow: Uow) -> HomeView:
    service.own_account(uow, customer_id=principal.customer_id, contract=contract)
    account = service.remove_package(uow, contract=contract, package_id=package)
    uow.commit()
    return HomeView.of(account, base=ME)


@router.get("/requests")
def pending_requests(
    uow: Uow, limit: Annotated[int, Query(ge=1, le=100, description="at most this many, oldest first")] = 50
) -> list[HomeView]:
    """Requests waiting for the customer's OneID check, oldest first."""
    return [HomeView.of(a, base=STAFF) for a in service.pending_requests(uow, limit=limit)]


@router.get("/accounts/{contract}")
def get_account(contract: ContractPath, uow: Uow) -> HomeView:
    return HomeView.of(service.state(uow, contract=contract), base=STAFF)


@router.post("/accounts/{contract}/activate")
def activate(contract: ContractPath, uow: Uow) -> HomeView:
    """Move a pending request on: refused `identity_not_verified` until OneID has verified the customer."""
    account = service.activate(uow, contract=contract)
    uow.commit()
    return HomeView.of(account, base=STAFF)


@router.post("/accounts/{contract}/close")
def close(contract: ContractPath, uow: Uow) -> HomeView:
    """Refuse a request or end a contract: no more fees."""
    account = service.close(uow, contract=contract)
    uow.commit()
    return HomeView.of(account, base=STAFF)


@router.post("/accounts/{contract}/topups", status_code=201)
def top_up(
    contract: ContractPath, body: TopUpCreate, uow: Uow, key: Annotated[str, Depends(idempotency_key)]
) -> HomeView:
    """Money paid in at a desk, by card or through a partner (retry with the same key)."""
    account = service.top_up(uow, contract=contract, amount=body.amount, idempotency_key=f"home.topup:{key}")
    uow.commit()
    return HomeView.of(account, base=STAFF)
