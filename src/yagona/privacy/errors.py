"""Refusals of the privacy domain (messages in `messages.yaml`)."""

from __future__ import annotations

from yagona.kernel.errors import InvalidRequestError


class ReasonRequiredError(InvalidRequestError):
    """Personal data is opened or changed only with a reason, which the access log keeps."""

    code = "reason_required"
