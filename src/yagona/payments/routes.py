"""The payment systems' endpoints. Each protocol authenticates by its own scheme (Payme: HTTP
Basic `Paycom:<key>`; Click: the MD5 `sign_string`), so the OpenAPI `security` is `[]`, and
every answer is HTTP 200 in the protocol's own shape (never problem+json)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from yagona.payments import rules, service
from yagona.payments.errors import ClickError, PaymeError
from yagona.payments.schemas import ClickAnswer, PaymeAnswer, PaymentsConfig

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])
PROTOCOL: dict[str, Any] = {"security": []}


def _config(request: Request) -> PaymentsConfig:
    config: PaymentsConfig = request.app.state.payments
    return config


def _payme_answer(request_id: Any, *, result: Any = None, error: PaymeError | None = None) -> JSONResponse:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
    if error is not None:
        body["error"] = {"code": error.code, "message": error.message, "data": error.data}
    else:
        body["result"] = result
    return JSONResponse(body, status_code=200)


def _error(code: int) -> PaymeError:
    return PaymeError(code, rules.PAYME_MESSAGES[code])


@router.post(
    "/payme",
    openapi_extra=PROTOCOL,
    summary="Payme Merchant API (JSON-RPC 2.0, HTTP Basic Paycom:<key>)",
    responses={200: {"model": PaymeAnswer, "description": "a JSON-RPC result or error (every answer is HTTP 200)"}},
)
async def payme(request: Request) -> JSONResponse:
    """CheckPerformTransaction, CreateTransaction, PerformTransaction, CancelTransaction,
    CheckTransaction, GetStatement, ChangePassword. Amounts in tiyin, times in ms since the epoch."""
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _payme_answer(None, error=_error(-32700))
    request_id = body.get("id") if isinstance(body, dict) else None
    if not isinstance(request_id, str | int | None) or isinstance(request_id, bool):
        request_id = None
    factory, config = request.app.state.uow_factory, _config(request)
    authorization = request.headers.get("authorization")

    def work() -> JSONResponse:
        with factory() as uow:
            if not service.payme_authorised(uow, config=config, authorization=authorization):
                return _payme_answer(request_id, error=_error(-32504))
            if (
                not isinstance(body, dict)
                or not isinstance(body.get("method"), str)
                or not isinstance(body.get("params"), dict)
            ):
                return _payme_answer(request_id, error=_error(-32600))
            try:
                result = service.payme(uow, config=config, method=body["method"], params=body["params"])
            except service.CommittedPaymeError as error:
                uow.commit()
                return _payme_answer(request_id, error=error)
            except PaymeError as error:
                return _payme_answer(request_id, error=error)
            uow.commit()
            return _payme_answer(request_id, result=result)

    return await run_in_threadpool(work)


async def _click(request: Request, *, complete: bool) -> JSONResponse:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    config, factory = _config(request), request.app.state.uow_factory
    echo = {
        "click_trans_id": rules.click_id(form.get("click_trans_id")),
        "merchant_trans_id": form.get("merchant_trans_id"),
    }

    def work() -> JSONResponse:
        with factory() as uow:
            try:
                if complete:
                    answer = service.click_complete(uow, config=config, form=form)
                else:
                    answer = service.click_prepare(uow, config=config, form=form)
            except service.CommittedClickError as error:
                uow.commit()
                return JSONResponse({**echo, "error": error.error, "error_note": error.note})
            except ClickError as error:
                return JSONResponse({**echo, "error": error.error, "error_note": error.note})
            uow.commit()
            return JSONResponse(answer)

    return await run_in_threadpool(work)


@router.post(
    "/click/prepare",
    openapi_extra=PROTOCOL,
    summary="Click SHOP API: Prepare (form-encoded, MD5 sign_string)",
    responses={200: {"model": ClickAnswer, "description": "the Click answer: `error` 0…-9 and `error_note`"}},
)
async def click_prepare(request: Request) -> JSONResponse:
    """Checks the account (`merchant_trans_id`: an MSISDN, or `W` + phone) and the amount
    (so'm); answers `merchant_prepare_id`."""
    return await _click(request, complete=False)


@router.post(
    "/click/complete",
    openapi_extra=PROTOCOL,
    summary="Click SHOP API: Complete (form-encoded, MD5 sign_string)",
    responses={200: {"model": ClickAnswer, "description": "the Click answer: `error` 0…-9 and `error_note`"}},
)
async def click_complete(request: Request) -> JSONResponse:
    """Credits the prepared payment once (`merchant_confirm_id`); a negative `error` from Click
    cancels it (-9); a repeat answers -4."""
    return await _click(request, complete=True)
