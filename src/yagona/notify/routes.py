"""REST of notify.

- `POST /api/v1/notify/sms/eskiz/{message_id}/{token}` — the SMS gateway's delivery receipt.
  Who may call it: only the gateway, proved by the token in the URL notify gave it for that
  one message (HMAC of the server's secret); anything else is 403 and changes nothing.
- `/api/v1/me/push/subscriptions` — the signed-in customer (session or bearer token): their
  devices that receive web push; subscribe this browser, list, remove one of their own.
- `simulator_router`: the Eskiz stand-in (`eskiz_simulator`), mounted in dev and test only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from pydantic import Field

from yagona.notify import service, subscriptions
from yagona.notify.eskiz_simulator import router as simulator_router
from yagona.notify.schemas import SubscriptionRead
from yagona.platform.api import ApiModel, ApiRead, Timestamp
from yagona.platform.auth import Principal, require_customer
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

__all__ = ["callback_router", "me_router", "simulator_router"]

_PROBLEM = {"application/problem+json": {"schema": {"type": "object", "required": ["status", "code"]}}}
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Customer = Annotated[Principal, Depends(require_customer())]
B64URL = r"^[A-Za-z0-9_-]+={0,2}$"

callback_router = APIRouter(
    prefix="/api/v1/notify",
    tags=["notify (gateways)"],
    responses={
        403: {"description": "`callback_refused`: not the URL notify gave the gateway", "content": _PROBLEM},
        404: {"description": "no such message", "content": _PROBLEM},
    },
)
me_router = APIRouter(
    prefix="/api/v1/me/push",
    tags=["my notifications"],
    responses={
        401: {"description": "not signed in: no One ID session or bearer token", "content": _PROBLEM},
        404: {"description": "`push_subscription_not_found`: none of your devices has this id", "content": _PROBLEM},
        422: {"description": "`push_subscription_invalid`: not a push service, or not its keys", "content": _PROBLEM},
        503: {"description": "`push_unavailable`: web push is not configured", "content": _PROBLEM},
    },
)


class ReceiptAnswer(ApiRead):
    status: str


# Anonymous in OpenAPI's terms: the credential is the token in the path, checked by the service.
@callback_router.post("/sms/eskiz/{message_id}/{token}", response_model=ReceiptAnswer, openapi_extra={"security": []})
async def eskiz_receipt(
    request: Request,
    message_id: Annotated[str, Path(max_length=36)],
    token: Annotated[str, Path(max_length=64)],
    uow: Uow,
) -> ReceiptAnswer:
    """Eskiz's delivery receipt (JSON or a form: `request_id`, `status`, …). A replay, or a
    status that is not final, is answered with the message's status and changes nothing."""
    body: dict[str, Any]
    if request.headers.get("content-type", "").startswith("application/json"):
        parsed = await request.json()
        body = parsed if isinstance(parsed, dict) else {}
    else:
        body = dict(await request.form())
    status = service.record_receipt(
        uow,
        message_id=message_id,
        token=token,
        request_id=str(body.get("request_id", ""))[:64],
        status=str(body.get("status", ""))[:20],
    )
    uow.commit()
    return ReceiptAnswer(status=status)


class PushKeys(ApiModel):
    p256dh: str = Field(min_length=80, max_length=100, pattern=B64URL)
    auth: str = Field(min_length=16, max_length=40, pattern=B64URL)


class SubscriptionIn(ApiModel):
    """The browser's `PushSubscription.toJSON()`."""

    endpoint: str = Field(min_length=10, max_length=1000)
    keys: PushKeys


class Device(ApiRead):
    id: str
    push_service: str
    user_agent: str
    created_at: Timestamp

    @classmethod
    def of(cls, read: SubscriptionRead) -> Device:
        return cls(id=read.id, push_service=read.push_service, user_agent=read.user_agent, created_at=read.created_at)


class Devices(ApiRead):
    vapid_public_key: str | None
    devices: list[Device]


@me_router.get("/subscriptions", response_model=Devices)
def my_devices(customer: Customer, uow: Uow) -> Devices:
    """Your devices that receive notifications, and the key a browser subscribes with."""
    found = subscriptions.devices(uow, customer_id=customer.customer_id)
    return Devices(vapid_public_key=subscriptions.vapid_public_key(), devices=[Device.of(d) for d in found])


@me_router.post("/subscriptions", response_model=Device, status_code=201)
def subscribe(
    payload: SubscriptionIn,
    customer: Customer,
    uow: Uow,
    user_agent: Annotated[str, Header(max_length=500)] = "",
) -> Device:
    """Receive notifications on this browser (it asked its user first). The same endpoint
    again is updated, not doubled."""
    device = subscriptions.subscribe(
        uow,
        customer_id=customer.customer_id,
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        user_agent=user_agent,
    )
    uow.commit()
    return Device.of(device)


@me_router.delete("/subscriptions/{subscription_id}", status_code=204)
def unsubscribe(subscription_id: Annotated[str, Path(max_length=36)], customer: Customer, uow: Uow) -> Response:
    """Stop notifications on one of your devices (another customer's is not found)."""
    subscriptions.unsubscribe(uow, customer_id=customer.customer_id, subscription_id=subscription_id)
    uow.commit()
    return Response(status_code=204)
