"""Refusals of notify. Codes are stable."""

from __future__ import annotations

from yagona.kernel.errors import InvalidRequestError, NotFoundError, YagonaError


class UnknownTemplateError(InvalidRequestError):
    code = "unknown_template"


class OutboxClosedError(YagonaError):
    """Reading the outbox is a development aid: refused in production."""

    code = "outbox_closed"
    http_status = 403


class SmsTooLongError(InvalidRequestError):
    """The text needs more SMS parts than the limit (`sms_max_parts`): refused when queued."""

    code = "sms_too_long"


class CallbackRefusedError(YagonaError):
    """A delivery receipt whose URL token is not the one notify gave the gateway."""

    code = "callback_refused"
    http_status = 403


class PushSubscriptionInvalidError(InvalidRequestError):
    """An endpoint that is not a known push service over https, or keys that are not keys."""

    code = "push_subscription_invalid"


class PushSubscriptionNotFoundError(NotFoundError):
    code = "push_subscription_not_found"


class PushUnavailableError(YagonaError):
    """Web push is not configured (no VAPID keys): nothing can be subscribed."""

    code = "push_unavailable"
    http_status = 503


class GatewayRejectedError(Exception):
    """The gateway refused this message for good (a bad number, a blacklisted one…)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GatewayUnavailableError(Exception):
    """The gateway did not answer, or answered something that is not its protocol: try later."""
