"""The utilities' biller simulator (dev and test only): the protocol of `wallet/biller.py`
over HTTP, mounted by the composition root only when simulators are enabled (Settings
refuses them in prod). A late account's answer comes after the wallet stopped waiting."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from yagona.wallet import service
from yagona.wallet.biller import CHECK_PATH, PAY_PATH, simulated_answer

PREFIX = "/biller-simulator"
router = APIRouter(prefix=PREFIX, tags=["biller-simulator"], include_in_schema=False)


def _answer(path: str, payload: dict[str, Any]) -> JSONResponse:
    answer = simulated_answer(path, payload)
    if answer.late:  # a sync route: this sleeps in a worker thread, not the event loop
        time.sleep(service.current().settings.biller_timeout_s + 1)
    return JSONResponse(answer.body, status_code=answer.status)


@router.post(CHECK_PATH)
def check_account(payload: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008 - FastAPI's way
    return _answer(CHECK_PATH, payload)


@router.post(PAY_PATH)
def confirm_payment(payload: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008 - FastAPI's way
    return _answer(PAY_PATH, payload)
