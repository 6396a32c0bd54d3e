"""Refusals of analytics (messages in `messages.yaml`)."""

from __future__ import annotations

from yagona.kernel.errors import InvalidRequestError, NotFoundError


class OneClassError(InvalidRequestError):
    """A churn model learns from churners and stayers: a set with one class only is refused."""

    code = "one_class"


class NoModelError(NotFoundError):
    """Scores need a trained model (`yagona analytics churn train`)."""

    code = "no_churn_model"


class BadRangeError(InvalidRequestError):
    """A dashboard's range starts on or before it ends, and spans at most a few years."""

    code = "bad_range"
