"""Helpers the CRM's use cases share: checked text, channels and message states."""

from __future__ import annotations

from yagona.crm import rules
from yagona.crm.errors import EmptyTextError, UnknownChannelError
from yagona.crm.schemas import InteractionChannel


def _status(status: str | None) -> str | None:
    if status is None:
        return None
    return status if status in rules.MESSAGE_STATUSES else "sent"


def _text(text: str, max_length: int) -> str:
    cleaned = rules.clean_text(text, max_length=max_length)
    if cleaned is None:
        raise EmptyTextError("Write the text.", field="text")
    return cleaned


def _channel(channel: InteractionChannel | str) -> str:
    try:
        return InteractionChannel(channel).value
    except ValueError:
        raise UnknownChannelError(f"no channel {channel}", channel=str(channel)[:20]) from None
