"""The Payme Merchant API (JSON-RPC 2.0): its methods over the shared transaction steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yagona.kernel.errors import LimitExceededError, YagonaError
from yagona.payments import repository, rules
from yagona.payments.models import PaymentTransaction
from yagona.payments.schemas import (
    CANCELLED,
    CANCELLED_AFTER_PERFORM,
    CREATED,
    PERFORMED,
    PaymentsConfig,
)
from yagona.payments.service.common import (
    PAYME,
    CommittedPaymeError,
    account_problem,
    cancel_transaction,
    insert_transaction,
    ms,
    payme_error,
    perform_transaction,
    take_back,
)
from yagona.platform.uow import UnitOfWork

# --- Payme Merchant API -------------------------------------------------------------------------


def payme_authorised(uow: UnitOfWork, *, config: PaymentsConfig, authorization: str | None) -> bool:
    """Payme's Basic credentials: the key set by ChangePassword if any, else the configured one."""
    stored = repository.credential(uow.session, PAYME)
    return rules.payme_credentials_ok(
        authorization, config.payme_key, key_sha256=stored.key_sha256 if stored is not None else None
    )


def payme(uow: UnitOfWork, *, config: PaymentsConfig, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    handler = _PAYME_METHODS.get(method)
    if handler is None:
        raise payme_error(-32601, method)
    return handler(uow, config, params)


def _payme_target(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> tuple[str, str, int]:
    field = rules.payme_account_field(params.get("account"))
    account = rules.payme_account(params.get("account"))
    if account is None:
        raise payme_error(-31050, field)
    target, number = account
    amount = rules.payme_amount(params.get("amount"), minimum=config.min_amount_tiyin, maximum=config.max_amount_tiyin)
    if amount is None:
        raise payme_error(-31001, "amount")
    problem = account_problem(uow, target, number, amount)
    if problem is not None:
        raise payme_error(_PAYME_ACCOUNT_ERRORS[problem], field)
    return target, number, amount


_PAYME_ACCOUNT_ERRORS = {"missing": -31050, "blocked": -31051, "limit": -31052}


def _payme_id(params: Mapping[str, Any]) -> str:
    value = params.get("id")
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise payme_error(-32600, "id")
    return value


def _payme_tx(uow: UnitOfWork, params: Mapping[str, Any]) -> PaymentTransaction:
    tx = repository.by_external(uow.session, PAYME, _payme_id(params), lock=True)
    if tx is None:
        raise payme_error(-31003, "id")
    return tx


def _payme_timed_out(uow: UnitOfWork, tx: PaymentTransaction) -> bool:
    return tx.state == CREATED and rules.timed_out(ms(tx.created_at), ms(uow.clock.now()))


def _timeout(uow: UnitOfWork, tx: PaymentTransaction) -> CommittedPaymeError:
    cancel_transaction(uow, tx, state=CANCELLED, reason=rules.CANCEL_TIMEOUT)
    return CommittedPaymeError(-31008, rules.PAYME_MESSAGES[-31008], "timeout")


def _check_perform(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    _payme_target(uow, config, params)
    return {"allow": True}


def _create(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    external_id = _payme_id(params)
    time = params.get("time")
    if isinstance(time, bool) or not isinstance(time, int):
        raise payme_error(-32600, "time")
    tx = repository.by_external(uow.session, PAYME, external_id, lock=True)
    if tx is None:
        target, number, amount = _payme_target(uow, config, params)
        tx = insert_transaction(
            uow,
            PaymentTransaction(
                system=PAYME, external_id=external_id, target=target, account=number, amount=amount,
                state=CREATED, external_time=time, created_at=uow.clock.now(),
            ),
        )  # fmt: skip
    if tx.state != CREATED:
        raise payme_error(-31008, "state")
    if _payme_timed_out(uow, tx):
        raise _timeout(uow, tx)
    return {"create_time": ms(tx.created_at), "transaction": str(tx.seq), "state": tx.state}


def _perform_method(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    tx = _payme_tx(uow, params)
    if tx.state == CREATED:
        if _payme_timed_out(uow, tx):
            raise _timeout(uow, tx)
        try:
            perform_transaction(uow, tx)
        except LimitExceededError as error:
            raise payme_error(-31052, rules.PAYME_KEYS[tx.target]) from error
        except YagonaError as error:
            raise payme_error(-31008, error.code) from error
    if tx.state != PERFORMED:
        raise payme_error(-31008, "state")
    return {"transaction": str(tx.seq), "perform_time": ms(tx.performed_at), "state": tx.state}


def _cancel_method(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    tx = _payme_tx(uow, params)
    reason = params.get("reason")
    if isinstance(reason, bool) or reason not in rules.PAYME_CANCEL_REASONS:
        raise payme_error(-32600, "reason")
    if tx.state == CREATED:
        cancel_transaction(uow, tx, state=CANCELLED, reason=reason)
    elif tx.state == PERFORMED:
        if not take_back(uow, tx):
            raise payme_error(-31007, "balance")
        cancel_transaction(uow, tx, state=CANCELLED_AFTER_PERFORM, reason=reason)
    return {"transaction": str(tx.seq), "cancel_time": ms(tx.cancelled_at), "state": tx.state}


def _check(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    tx = _payme_tx(uow, params)
    return {
        "create_time": ms(tx.created_at),
        "perform_time": ms(tx.performed_at),
        "cancel_time": ms(tx.cancelled_at),
        "transaction": str(tx.seq),
        "state": tx.state,
        "reason": tx.reason,
    }


def _statement(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    """The transactions whose Payme `time` is in [from, to], by that time (the protocol's rule)."""
    start, end = params.get("from"), params.get("to")
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in (start, end)):
        raise payme_error(-32600, "from/to")
    assert isinstance(start, int) and isinstance(end, int)
    return {"transactions": [statement_row(tx) for tx in repository.payme_between(uow.session, start, end)]}


def statement_row(tx: PaymentTransaction) -> dict[str, Any]:
    """One row of GetStatement, in the protocol's Transaction shape."""
    return {
        "id": tx.external_id,
        "time": tx.external_time,
        "amount": tx.amount,
        "account": {rules.PAYME_KEYS[tx.target]: tx.account},
        "create_time": ms(tx.created_at),
        "perform_time": ms(tx.performed_at),
        "cancel_time": ms(tx.cancelled_at),
        "transaction": str(tx.seq),
        "state": tx.state,
        "reason": tx.reason,
        "receivers": None,  # one cashbox receives the whole payment
    }


def _change_password(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    """Payme sets a new cashbox key; the call itself came with the current one (the caller
    checked it). Kept in the database (its SHA-256), it overrides the configured key on every
    server at once and survives restarts; the configured key no longer opens the door."""
    key = rules.payme_new_key(params.get("password"))
    if key is None:
        raise payme_error(-32600, "password")
    repository.save_credential(uow.session, PAYME, rules.payme_key_digest(key), uow.clock.now())
    return {"success": True}


_PAYME_METHODS = {
    "CheckPerformTransaction": _check_perform,
    "CreateTransaction": _create,
    "PerformTransaction": _perform_method,
    "CancelTransaction": _cancel_method,
    "CheckTransaction": _check,
    "GetStatement": _statement,
    "ChangePassword": _change_password,
}
