"""Staff REST of the ledger: thin — validate, call the service, map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, Field

from yagona.ledger import service
from yagona.ledger.schemas import AccountCreate, AccountRead, HistoryPage, TransferCreate, TransferRead, VerifyReport
from yagona.platform.auth import require_staff
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"], dependencies=[Depends(require_staff)])
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


class AccountView(AccountRead):
    balance_now: int = Field(description="posted balance, in the unit's minor units")
    available_now: int = Field(description="posted balance less pending debits")


class BatchCreate(BaseModel):
    transfers: list[TransferCreate] = Field(min_length=1)


def _view(account: AccountRead) -> AccountView:
    return AccountView(**account.model_dump(), balance_now=account.balance, available_now=account.available)


@router.post("/accounts", status_code=201)
def open_account(body: AccountCreate, uow: Uow) -> AccountView:
    account = service.open_account(uow, account=body)
    uow.commit()
    return _view(account)


@router.get("/accounts/{code}")
def get_account(code: str, uow: Uow) -> AccountView:
    return _view(service.get_account(uow, code=code))


@router.get("/accounts/{code}/transfers")
def account_history(
    code: str, uow: Uow, cursor: str | None = None, limit: Annotated[int, Query(ge=1)] = 50
) -> HistoryPage:
    return service.history(uow, code=code, cursor=cursor, limit=limit)


@router.post("/transfers", status_code=201)
def post_transfers(
    body: BatchCreate, uow: Uow, idempotency_key: Annotated[str, Header(min_length=1, max_length=200)]
) -> list[TransferRead]:
    result = service.post(uow, transfers=body.transfers, idempotency_key=idempotency_key)
    uow.commit()
    return result


@router.get("/verify")
def verify(uow: Uow) -> VerifyReport:
    return service.verify(uow)
