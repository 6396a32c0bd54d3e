"""A stand-in for Eskiz (dev and test only): the protocol of `notify/eskiz.py` over HTTP,
mounted under `/eskiz-simulator` by the composition root only when simulators are enabled
(Settings refuses them in prod). What it does, by how the phone number ends:

- `…0400`: refused (400, as Eskiz answers a blacklisted number);
- `…0408`: answers only after the client stopped waiting;
- `…0503`: the gateway is down (503);
- `…0404`: taken, then a delivery receipt `UNDELIV`;
- any other: taken, then a receipt `DELIVRD` — POSTed to the message's `callback_url` a
  moment after the answer, as Eskiz does.

Tokens are kept in this process; `expire_tokens()` ends them all (the next send gets 401)."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from typing import Annotated, Any

import httpx
import structlog
from fastapi import APIRouter, Form, Header
from fastapi.responses import JSONResponse

from yagona.notify.encoding import shape
from yagona.notify.eskiz import LOGIN_PATH, SEND_PATH

log = structlog.get_logger(__name__)
PREFIX = "/eskiz-simulator"
REFUSED_SUFFIX, LATE_SUFFIX, DOWN_SUFFIX, UNDELIVERED_SUFFIX = "0400", "0408", "0503", "0404"
router = APIRouter(prefix=PREFIX, tags=["eskiz-simulator"], include_in_schema=False)


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: set[str] = set()
        self.received: list[dict[str, str]] = []
        self.logins = 0
        self.late_s = 6.0  # longer than the client's default timeout (5 s)
        self.receipt_delay_s = 0.3


STATE = _State()


def expire_tokens() -> None:
    with STATE.lock:
        STATE.tokens.clear()


def received() -> list[dict[str, str]]:
    """What the stand-in was sent, oldest first (the text as the gateway got it)."""
    with STATE.lock:
        return list(STATE.received)


def logins() -> int:
    with STATE.lock:
        return STATE.logins


def set_late(seconds: float) -> None:
    STATE.late_s = seconds


@router.post(LOGIN_PATH)
def login(email: Annotated[str, Form()], password: Annotated[str, Form()]) -> JSONResponse:
    if not email or not password:
        return JSONResponse({"message": "Unauthorized"}, status_code=401)
    token = secrets.token_urlsafe(24)
    with STATE.lock:
        STATE.tokens.add(token)
        STATE.logins += 1
    return JSONResponse({"message": "token_generated", "data": {"token": token}, "token_type": "bearer"})


@router.post(SEND_PATH)
def send(
    mobile_phone: Annotated[str, Form()],
    message: Annotated[str, Form()],
    sender: Annotated[str, Form(alias="from")] = "4546",
    callback_url: Annotated[str | None, Form()] = None,
    authorization: Annotated[str, Header()] = "",
) -> JSONResponse:
    token = authorization.removeprefix("Bearer ").strip()
    with STATE.lock:
        valid = token in STATE.tokens
    if not valid:
        return JSONResponse({"status": "token-invalid", "message": "Expired"}, status_code=401)
    if not (mobile_phone.isdigit() and len(mobile_phone) == 12) or mobile_phone.endswith(REFUSED_SUFFIX):
        return JSONResponse({"status": "error", "message": {"mobile_phone": ["rejected"]}}, status_code=400)
    if mobile_phone.endswith(DOWN_SUFFIX):
        return JSONResponse({"status": "error", "message": "Service unavailable"}, status_code=503)
    if mobile_phone.endswith(LATE_SUFFIX):  # a sync route: this sleeps in a worker thread
        time.sleep(STATE.late_s)
    request_id = str(uuid.uuid4())
    with STATE.lock:
        STATE.received.append({"id": request_id, "mobile_phone": mobile_phone, "message": message, "from": sender})
    if callback_url:
        status = "UNDELIV" if mobile_phone.endswith(UNDELIVERED_SUFFIX) else "DELIVRD"
        receipt = {
            "request_id": request_id,
            "message_id": str(4_000_000 + len(STATE.received)),
            "user_sms_id": None,
            "country": "UZ",
            "phone_number": mobile_phone,
            "sms_count": str(shape(message).parts),
            "status": status,
            # Eskiz writes Tashkent time; the stand-in is an outside system with its own clock.
            "status_date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 5 * 3600)),  # noqa: TID251
        }
        # Its own thread, not a background task: a background task holds the client's
        # keep-alive connection until it ends, and the next send would wait on our callback.
        threading.Thread(target=_call_back, args=(callback_url, receipt), daemon=True).start()
    return JSONResponse({"id": request_id, "message": "Waiting for SMS provider", "status": "waiting"})


def _call_back(url: str, receipt: dict[str, Any]) -> None:
    time.sleep(STATE.receipt_delay_s)
    try:
        with httpx.Client(timeout=5) as client:
            client.post(url, json=receipt)
    except httpx.HTTPError as error:  # Eskiz does not retry either
        log.warning("eskiz_simulator_callback_failed", error=type(error).__name__)
