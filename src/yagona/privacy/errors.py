"""Refusals of the privacy domain (messages in `messages.yaml`)."""

from __future__ import annotations

from yagona.kernel.errors import ConflictError, ForbiddenError, InvalidRequestError, NotFoundError


class ReasonRequiredError(InvalidRequestError):
    """Personal data is opened or changed only with a reason, which the access log keeps."""

    code = "reason_required"


class NotYourDataError(ForbiddenError):
    """A customer sees, exports or erases their own data only."""

    code = "not_your_data"


class LegalHoldError(ConflictError):
    """The law requires this customer's data kept (a legal hold): no erasure until released."""

    code = "legal_hold"


class HoldNotFoundError(NotFoundError):
    code = "legal_hold_not_found"


class UnknownPurposeError(InvalidRequestError):
    """A retention purpose not in privacy/data/retention.yaml."""

    code = "unknown_purpose"


class KAnonymityInputError(InvalidRequestError):
    """A k-anonymity check needs at least one quasi-identifier and k of at least 2."""

    code = "k_anonymity_input"
