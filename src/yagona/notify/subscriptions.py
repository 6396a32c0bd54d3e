"""The customer's devices that receive web push: subscribe (explicit: the browser asked its
user first), list, remove. Removing a device stops its pushes at once."""

from __future__ import annotations

from urllib.parse import urlsplit

from yagona.kernel.ids import new_id
from yagona.notify import delivery, repository
from yagona.notify.errors import PushSubscriptionInvalidError, PushSubscriptionNotFoundError, PushUnavailableError
from yagona.notify.models import PushSubscription
from yagona.notify.push import endpoint_allowed, keys_valid
from yagona.notify.schemas import SubscriptionRead
from yagona.platform.uow import UnitOfWork

DEVICES_MAX = delivery.PUSH_DEVICES_MAX


def _read(row: PushSubscription) -> SubscriptionRead:
    return SubscriptionRead(
        id=row.id,
        push_service=urlsplit(row.endpoint).hostname or "",
        user_agent=row.user_agent,
        created_at=row.created_at,
    )


def vapid_public_key() -> str | None:
    """What the browser needs to subscribe (`applicationServerKey`); None: push is off."""
    settings = delivery.current().settings
    return settings.vapid_public_key if settings.push_enabled else None


def subscribe(
    uow: UnitOfWork, *, customer_id: str, endpoint: str, p256dh: str, auth: str, user_agent: str
) -> SubscriptionRead:
    """Keep this browser's subscription for the customer. The same endpoint again (the
    browser renewed its keys, or another customer signed in on it) is updated, not doubled."""
    current = delivery.current()
    if vapid_public_key() is None:
        raise PushUnavailableError("web push is not configured (no VAPID keys)")
    allowed = endpoint_allowed(endpoint, hosts=current.settings.push_hosts, loopback=current.env in ("dev", "test"))
    if not allowed or not keys_valid(p256dh, auth):
        raise PushSubscriptionInvalidError("not a push service's endpoint, or not its keys", field="endpoint")
    existing = repository.subscription_by_endpoint(uow.session, endpoint)
    if existing is not None:
        existing.customer_id, existing.p256dh, existing.auth = customer_id, p256dh, auth
        existing.user_agent = user_agent[:200]
        uow.session.flush()
        return _read(existing)
    if len(repository.subscriptions(uow.session, customer_id, limit=DEVICES_MAX)) >= DEVICES_MAX:
        raise PushSubscriptionInvalidError(f"at most {DEVICES_MAX} devices", field="endpoint")
    row = PushSubscription(
        id=new_id(),
        customer_id=customer_id,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        user_agent=user_agent[:200],
        created_at=uow.clock.now(),
    )
    repository.add_subscription(uow.session, row)
    return _read(row)


def devices(uow: UnitOfWork, *, customer_id: str) -> list[SubscriptionRead]:
    return [_read(row) for row in repository.subscriptions(uow.session, customer_id, limit=DEVICES_MAX)]


def unsubscribe(uow: UnitOfWork, *, customer_id: str, subscription_id: str) -> None:
    """Remove one of the customer's own devices; another customer's is "not found"."""
    if not repository.remove_subscription(uow.session, subscription_id=subscription_id, customer_id=customer_id):
        raise PushSubscriptionNotFoundError("you have no device by this id", field="id")
