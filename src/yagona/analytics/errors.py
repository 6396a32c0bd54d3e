"""Refusals of analytics (messages in `messages.yaml`)."""

from __future__ import annotations

from yagona.kernel.errors import ConflictError, InvalidRequestError, NotFoundError


class OneClassError(InvalidRequestError):
    """A churn model learns from churners and stayers: a set with one class only is refused."""

    code = "one_class"


class NoModelError(NotFoundError):
    """Scores need a trained model (`yagona analytics churn train`)."""

    code = "no_churn_model"


class BadRangeError(InvalidRequestError):
    """A dashboard's range starts on or before it ends, and spans at most a few years."""

    code = "bad_range"


class OfferNotFoundError(NotFoundError):
    """No such offer for this customer (another customer's offer is the same answer)."""

    code = "offer_not_found"


class OfferClosedError(ConflictError):
    """The offer was dismissed or has expired (or marketing consent was withdrawn since)."""

    code = "offer_closed"
