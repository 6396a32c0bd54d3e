"""The error hierarchy. Every expected refusal is a `YagonaError` with a stable `code`.

Channels (HTTP, CLI, USSD, portal, sandbox) map the code the same way; the code is a
contract, the message is for people. The raise site's message is English; Uzbek and Russian
(and a generic English) come from the `messages.yaml` of the domain that owns the code,
filled from the error's details (`yagona.platform.i18n`).
"""

from __future__ import annotations

from typing import Any, ClassVar


class YagonaError(Exception):
    """Base of every expected refusal. Subclasses fix `code` and `http_status`."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    # A refusal writes nothing, with one exception: a refusal whose security record (an
    # attempt counter, an audit row) must persist, or retrying would bypass the limit. The
    # unit of work commits what was written when such an error leaves it.
    persist: ClassVar[bool] = False

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **({"details": self.details} if self.details else {})}


class InvalidRequestError(YagonaError):
    code = "invalid_request"
    http_status = 422


class NotFoundError(YagonaError):
    code = "not_found"
    http_status = 404


class ConflictError(YagonaError):
    code = "conflict"
    http_status = 409


class IdempotencyConflictError(ConflictError):
    code = "idempotency_conflict"


class InsufficientFundsError(YagonaError):
    code = "insufficient_funds"
    http_status = 409


class LimitExceededError(YagonaError):
    code = "limit_exceeded"
    http_status = 409


class UnitMismatchError(YagonaError):
    code = "unit_mismatch"
    http_status = 422


class UnavailableError(YagonaError):
    """A dependency (database, bus) cannot be reached; the caller may retry."""

    code = "unavailable"
    http_status = 503


class UnauthenticatedError(YagonaError):
    """No credential, or one that is not valid (expired session, revoked token)."""

    code = "unauthenticated"
    http_status = 401


class ForbiddenError(YagonaError):
    """A valid credential that may not do this: another customer's resource, a role too low."""

    code = "forbidden"
    http_status = 403


class InsufficientScopeError(ForbiddenError):
    """A bearer token without the scope the operation needs."""

    code = "insufficient_scope"
