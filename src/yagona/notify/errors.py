"""Refusals of notify. Codes are stable."""

from __future__ import annotations

from yagona.kernel.errors import InvalidRequestError, YagonaError


class UnknownTemplateError(InvalidRequestError):
    code = "unknown_template"


class OutboxClosedError(YagonaError):
    """Reading the outbox is a development aid: refused in production."""

    code = "outbox_closed"
    http_status = 403
