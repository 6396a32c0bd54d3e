"""Every query of the home domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yagona.home.models import HomeAccount, HomeAddon


def add(session: Session, row: HomeAccount | HomeAddon) -> None:
    session.add(row)
    session.flush()


def account(session: Session, contract: str) -> HomeAccount | None:
    return session.scalars(select(HomeAccount).where(HomeAccount.contract == contract)).first()


def account_for_update(session: Session, contract: str) -> HomeAccount | None:
    return session.scalars(select(HomeAccount).where(HomeAccount.contract == contract).with_for_update()).first()


def last_contract(session: Session) -> str | None:
    return session.scalar(select(func.max(HomeAccount.contract)))


def accounts_of(session: Session, customer_id: str) -> Sequence[HomeAccount]:
    return session.scalars(
        select(HomeAccount).where(HomeAccount.customer_id == customer_id).order_by(HomeAccount.contract)
    ).all()


def accounts_in_state(session: Session, state: str, *, limit: int) -> Sequence[HomeAccount]:
    return session.scalars(
        select(HomeAccount).where(HomeAccount.state == state).order_by(HomeAccount.requested_at).limit(limit)
    ).all()


def all_contracts(session: Session) -> list[str]:
    return list(session.scalars(select(HomeAccount.contract).order_by(HomeAccount.contract)))


def addons(session: Session, account_id: int) -> Sequence[HomeAddon]:
    return session.scalars(
        select(HomeAddon).where(HomeAddon.account_id == account_id).order_by(HomeAddon.package_id)
    ).all()


def addon(session: Session, account_id: int, package_id: str) -> HomeAddon | None:
    return session.scalars(
        select(HomeAddon).where(HomeAddon.account_id == account_id, HomeAddon.package_id == package_id)
    ).first()
