"""The OneID simulator (dev and test only): refused outside them by the settings, by
`make_context`, and here — every request answers 404 unless the process runs in dev/test
with the simulator on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from yagona.identity.oneid import OneIdSimulator
from yagona.identity.routes.common import Form, context
from yagona.kernel.errors import NotFoundError

router = APIRouter(prefix="/oneid-simulator", tags=["oneid-simulator"], include_in_schema=False)


def _simulator(request: Request) -> OneIdSimulator:
    ctx = context(request)
    if not ctx.oneid_simulator:
        raise NotFoundError("no such page")
    simulator: OneIdSimulator | None = ctx.cache.get("oneid_simulator")
    if simulator is None:
        simulator = OneIdSimulator(ctx.settings.oneid_client_id, ctx.settings.oneid_client_secret.get_secret_value())
        ctx.cache["oneid_simulator"] = simulator
    return simulator


@router.get("/sso/oauth/Authorization.do")
def simulator_authorize(request: Request) -> Response:
    status, body = _simulator(request).authorize(dict(request.query_params))
    if status == 302:
        return RedirectResponse(body["location"], status_code=302)
    return JSONResponse(body, status_code=status)


@router.post("/sso/oauth/Authorization.do")
def simulator_token(request: Request, form: Form) -> JSONResponse:
    status, body = _simulator(request).token({**dict(request.query_params), **form})
    return JSONResponse(body, status_code=status)
