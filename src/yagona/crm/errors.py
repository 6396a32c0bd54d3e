"""Refusals of the CRM (messages in `messages.yaml`)."""

from __future__ import annotations

from yagona.kernel.errors import InvalidRequestError


class EmptyTextError(InvalidRequestError):
    """An interaction or a request says something: an empty one is refused."""

    code = "text_required"


class UnknownChannelError(InvalidRequestError):
    """A contact names one of the channels the CRM knows."""

    code = "unknown_channel"
