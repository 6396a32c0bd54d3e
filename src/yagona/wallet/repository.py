"""Every query of the wallet, and the loading of its data files (providers, commissions)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yagona.wallet.models import WalletAccount, WalletOperation
from yagona.wallet.schemas import TOPUP_KINDS, CommissionTable, OperationStatus, ProviderCatalogue

_Data = TypeVar("_Data", ProviderCatalogue, CommissionTable)

PROVIDERS_FILE = "providers.yaml"
COMMISSIONS_FILE = "commissions.yaml"


class WalletDataInvalidError(RuntimeError):
    """A shipped data file does not validate: the wallet refuses to start on it."""


# --- wallets ------------------------------------------------------------------------------


def wallet(session: Session, phone: str) -> WalletAccount | None:
    return session.get(WalletAccount, phone)


def lock_wallets(session: Session, phones: Iterable[str]) -> dict[str, WalletAccount]:
    """Read the wallets `FOR UPDATE` in phone order (PostgreSQL), so two operations on the same
    wallets queue and never deadlock; SQLite serialises writers anyway."""
    wanted = sorted(set(phones))
    rows = session.scalars(
        select(WalletAccount)
        .where(WalletAccount.phone.in_(wanted))
        .order_by(WalletAccount.phone)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {row.phone: row for row in rows}


def add_wallet(session: Session, row: WalletAccount) -> None:
    session.add(row)
    session.flush()


def wallets_page(session: Session, *, after_phone: str | None, limit: int) -> list[WalletAccount]:
    query = select(WalletAccount).order_by(WalletAccount.phone).limit(limit)
    if after_phone is not None:
        query = query.where(WalletAccount.phone > after_phone)
    return list(session.scalars(query).all())


# --- operations and receipts ------------------------------------------------------------------


def operation_by_key(session: Session, idempotency_key: str) -> WalletOperation | None:
    return session.scalars(select(WalletOperation).where(WalletOperation.idempotency_key == idempotency_key)).first()


def operation_by_seq(session: Session, seq: int) -> WalletOperation | None:
    return session.get(WalletOperation, seq)


def add_operation(session: Session, values: dict[str, Any]) -> WalletOperation:
    row = WalletOperation(**values)
    session.add(row)
    session.flush()  # gives the row its seq: the receipt number
    return row


def topups_since(session: Session, phone: str, since: datetime) -> int:
    """Top-ups (amount + commission) received since `since`, pending card top-ups included."""
    total = session.scalar(
        select(func.coalesce(func.sum(WalletOperation.amount + WalletOperation.commission), 0)).where(
            WalletOperation.payee_phone == phone,
            WalletOperation.created_at >= since,
            WalletOperation.kind.in_([k.value for k in TOPUP_KINDS]),
            WalletOperation.status.in_([OperationStatus.PENDING.value, OperationStatus.COMPLETED.value]),
        )
    )
    return int(total or 0)


def operations_of(session: Session, phone: str, *, before_seq: int | None, limit: int) -> list[WalletOperation]:
    query = (
        select(WalletOperation)
        .where(or_(WalletOperation.payer_phone == phone, WalletOperation.payee_phone == phone))
        .order_by(WalletOperation.seq.desc())
        .limit(limit)
    )
    if before_seq is not None:
        query = query.where(WalletOperation.seq < before_seq)
    return list(session.scalars(query).all())


# --- data files ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def providers() -> ProviderCatalogue:
    catalogue = _load(PROVIDERS_FILE, ProviderCatalogue)
    table = commissions()
    known = {row.operation for row in table.rows}
    unknown = sorted({p.commission for p in catalogue.providers} - known)
    if unknown:
        raise WalletDataInvalidError(f"{PROVIDERS_FILE}: commission rows not in {COMMISSIONS_FILE}: {unknown}")
    return catalogue


@lru_cache(maxsize=1)
def commissions() -> CommissionTable:
    return _load(COMMISSIONS_FILE, CommissionTable)


def _load(name: str, model: type[_Data]) -> _Data:
    text = files("yagona.wallet").joinpath("data", name).read_text(encoding="utf-8")
    try:
        return model.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as error:
        raise WalletDataInvalidError(f"{name}: {error}") from error
