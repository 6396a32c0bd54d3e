"""Handing queued messages to the gateways, and what the gateways tell back.

- SMS: the configured gateway (Eskiz; in dev and test the stand-in when configured, else the
  outbox). A per-phone rate limit holds ordinary messages back; urgent ones (codes, security
  alerts) have their own budget and go first. A gateway that does not answer stops SMS for
  this pass and the message is tried again later; one that refuses fails the message.
- Push: every device the customer subscribed; a device the push service no longer knows
  (404, 410) is removed.
- Delivery receipts (`record_receipt`): only from the URL notify gave the gateway (a token
  per message), final statuses only, once.

Every change of status publishes `notify.message_sent` / `…_delivered` / `…_failed`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta

import structlog
from pydantic import SecretStr

from yagona.kernel.errors import NotFoundError
from yagona.notify import eskiz, repository
from yagona.notify.errors import CallbackRefusedError, GatewayRejectedError, GatewayUnavailableError
from yagona.notify.events import MessageDelivered, MessageFailed, MessageSent
from yagona.notify.models import Message
from yagona.notify.push import WebPushSender, new_vapid_keys
from yagona.notify.schemas import (
    Channel,
    DeliveryAdapter,
    DevDeliveryAdapter,
    OutboxGateway,
    PushSender,
    PushTarget,
    SmsGateway,
)
from yagona.notify.settings import NotifySettings
from yagona.platform.sealing import Sealer
from yagona.platform.uow import UnitOfWork

log = structlog.get_logger(__name__)
CALLBACK_PATH = "/api/v1/notify/sms/eskiz"
PUSH_DEVICES_MAX = 20


@dataclass(frozen=True)
class Delivery:
    """The gateways of each channel (None: that channel's messages wait) and what they need."""

    settings: NotifySettings
    env: str
    secret_key: str
    sms: SmsGateway | None
    push: PushSender | None
    email: DeliveryAdapter | None

    def callback_url(self, message_id: str) -> str | None:
        base = self.settings.public_url
        if base is None:
            return None
        return f"{base.rstrip('/')}{CALLBACK_PATH}/{message_id}/{callback_token(self.secret_key, message_id)}"


def for_environment(settings: NotifySettings, *, env: str, secret_key: str) -> Delivery:
    """Eskiz when configured; else the outbox in dev and test, and nothing in prod. Push when
    VAPID keys are set (dev and test without keys: a pair made for this process, so the page
    works out of the box). E-mail: the outbox in dev and test only (no mail server yet)."""
    dev = env in ("dev", "test")
    if dev and not settings.push_enabled:
        private, public = new_vapid_keys()
        settings = settings.model_copy(update={"vapid_private_key": SecretStr(private), "vapid_public_key": public})
    sms: SmsGateway | None = OutboxGateway() if dev else None
    if settings.eskiz_url is not None and not dev and not (settings.eskiz_email and settings.eskiz_password):
        raise ValueError("YAGONA_NOTIFY_ESKIZ_URL needs YAGONA_NOTIFY_ESKIZ_EMAIL and YAGONA_NOTIFY_ESKIZ_PASSWORD")
    if settings.eskiz_url is not None:
        sms = eskiz.EskizGateway(
            base_url=settings.eskiz_url,
            email=settings.eskiz_email or ("dev@yagona.uz" if dev else ""),
            password=settings.eskiz_password.get_secret_value() if settings.eskiz_password else ("dev" if dev else ""),
            sender=settings.sms_sender,
            timeout_s=settings.eskiz_timeout_s,
        )
    push: PushSender | None = None
    if settings.vapid_private_key is not None:
        push = WebPushSender(
            vapid_private_key=settings.vapid_private_key.get_secret_value(),
            subject=settings.vapid_subject,
            timeout_s=settings.push_timeout_s,
            ttl_s=settings.push_ttl_s,
        )
    return Delivery(settings, env, secret_key, sms, push, DevDeliveryAdapter() if dev else None)


_installed: list[Delivery] = []


def install(delivery: Delivery) -> None:
    """The composition root installs the process's delivery (bootstrap, once; tests swap it)."""
    _installed[:] = [delivery]


def current() -> Delivery:
    if not _installed:
        raise RuntimeError("notify is not configured: app/bootstrap.py installs its delivery")
    return _installed[0]


def callback_token(secret_key: str, message_id: str) -> str:
    digest = hmac.new(secret_key.encode(), f"notify.receipt|{message_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


# --- handing messages over -----------------------------------------------------------------


def deliver_queued(uow: UnitOfWork, *, adapter: Delivery, sealer: Sealer, keep_body: bool, limit: int) -> int:
    """Hand due queued messages to their channel's gateway; returns how many were sent.
    Bodies are wiped once a message is sent or failed, unless `keep_body` (dev and test:
    testers read codes from the outbox)."""
    now, sent, sms_down = uow.clock.now(), 0, False
    for message in repository.queued(uow.session, limit=min(limit, uow.limits.batch_size_max), now=now):
        body = sealer.open(message.body_sealed).decode() if message.body_sealed else ""
        channel = Channel(message.channel)
        if channel is Channel.SMS:
            if adapter.sms is None or sms_down or _rate_limited(uow, adapter.settings, message):
                continue
            try:
                gateway_id = adapter.sms.send_sms(
                    recipient=message.recipient, text=body, callback_url=adapter.callback_url(message.id)
                )
            except GatewayRejectedError as refused:
                log.info("sms_refused", message_id=message.id, reason=refused.reason)
                _fail(uow, message, "rejected", keep_body=keep_body)
                continue
            except GatewayUnavailableError as error:
                log.warning("sms_gateway_unavailable", message_id=message.id, error=str(error))
                _retry_later(uow, adapter.settings, message, "gateway_unavailable", keep_body=keep_body)
                sms_down = True  # the rest waits for the next pass
                continue
            _sent(uow, message, gateway_id=gateway_id, keep_body=keep_body)
        elif channel is Channel.PUSH:
            if adapter.push is None or not _push(uow, adapter, message, body, keep_body=keep_body):
                continue
        else:
            if adapter.email is None:
                continue
            adapter.email.send(channel=channel, recipient=message.recipient, body=body)
            _sent(uow, message, gateway_id=None, keep_body=keep_body)
        sent += 1
    return sent


def _rate_limited(uow: UnitOfWork, settings: NotifySettings, message: Message) -> bool:
    """Over the phone's budget for its kind (urgent or ordinary): wait until the window's
    oldest message leaves it. Ordinary messages never use the urgent budget."""
    now = uow.clock.now()
    window = timedelta(seconds=settings.sms_window_s)
    times = repository.sent_since(
        uow.session, message.recipient, channel=Channel.SMS.value, urgent=message.urgent, since=now - window
    )
    budget = settings.sms_urgent_per_phone_max if message.urgent else settings.sms_per_phone_max
    if len(times) < budget:
        return False
    repository.change(uow.session, message.id, not_before=min(times) + window, error="rate_limited", status_at=now)
    return True


def _push(uow: UnitOfWork, adapter: Delivery, message: Message, body: str, *, keep_body: bool) -> bool:
    """Push to every device of the customer; True when at least one push service took it."""
    assert adapter.push is not None
    devices = repository.subscriptions(uow.session, message.recipient, limit=PUSH_DEVICES_MAX)
    payload = json.dumps({"title": "Yagona", "body": body, "url": "/", "tag": message.template})
    accepted = failed = 0
    for device in devices:
        target = PushTarget(endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth)
        outcome = adapter.push.push(target, payload)
        if outcome == "gone":  # the browser unsubscribed or the device is gone: forget it
            repository.remove_endpoint(uow.session, device.endpoint)
        accepted += outcome == "accepted"
        failed += outcome == "failed"
    if accepted:
        _sent(uow, message, gateway_id=None, keep_body=keep_body)
        return True
    if failed:
        _retry_later(uow, adapter.settings, message, "push_unavailable", keep_body=keep_body)
    else:
        _fail(uow, message, "no_device", keep_body=keep_body)
    return False


def _sent(uow: UnitOfWork, message: Message, *, gateway_id: str | None, keep_body: bool) -> None:
    now = uow.clock.now()
    repository.mark_sent(uow.session, message.id, now=now, keep_body=keep_body)
    repository.change(uow.session, message.id, gateway_id=gateway_id, attempts=message.attempts + 1, error=None)
    uow.add_event(
        MessageSent(
            occurred_at=now,
            message_id=message.id,
            channel=message.channel,
            recipient=message.recipient,
            template=message.template,
        )
    )


def _fail(uow: UnitOfWork, message: Message, reason: str, *, keep_body: bool) -> None:
    now = uow.clock.now()
    values: dict[str, object] = {"status": "failed", "error": reason, "status_at": now}
    if not keep_body:
        values["body_sealed"] = None
    repository.change(uow.session, message.id, **values)
    uow.add_event(
        MessageFailed(
            occurred_at=now, message_id=message.id, channel=message.channel, recipient=message.recipient, status=reason
        )
    )


def _retry_later(uow: UnitOfWork, settings: NotifySettings, message: Message, reason: str, *, keep_body: bool) -> None:
    attempts = message.attempts + 1
    if attempts >= settings.delivery_attempts_max:
        repository.change(uow.session, message.id, attempts=attempts)
        _fail(uow, message, reason, keep_body=keep_body)
        return
    later = uow.clock.now() + timedelta(seconds=settings.retry_after_s)
    repository.change(uow.session, message.id, attempts=attempts, not_before=later, error=reason)


# --- what the gateway tells back -------------------------------------------------------------


def record_receipt(uow: UnitOfWork, *, message_id: str, token: str, request_id: str, status: str) -> str:
    """Apply a delivery receipt; returns the message's status after it. Refused (and nothing
    written) unless `token` is the one this message's callback URL carried and `request_id`
    is the id the gateway gave it. A replay, or a status that is not final, changes nothing."""
    expected = callback_token(current().secret_key, message_id)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise CallbackRefusedError("the receipt's URL was not issued for this message")
    message = repository.get(uow.session, message_id, for_update=True)
    if message is None:
        raise NotFoundError("no such message", field="message_id")
    if message.gateway_id is None or not hmac.compare_digest(message.gateway_id.encode(), request_id.encode()):
        raise CallbackRefusedError("the receipt names another request than the one the gateway took")
    outcome = eskiz.receipt_outcome(status)
    if outcome is None or message.status != "sent":
        return message.status
    now = uow.clock.now()
    if outcome == "delivered":
        repository.change(uow.session, message.id, status="delivered", status_at=now)
        event: MessageDelivered | MessageFailed = MessageDelivered(
            occurred_at=now, message_id=message.id, channel=message.channel, recipient=message.recipient, status=status
        )
    else:
        repository.change(uow.session, message.id, status="failed", status_at=now, error="undelivered")
        event = MessageFailed(
            occurred_at=now, message_id=message.id, channel=message.channel, recipient=message.recipient, status=status
        )
    uow.add_event(event)
    return outcome
