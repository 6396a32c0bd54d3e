"""Replies to tickets that came from the bot go back to the customer's chat (issue 14: "replies
to the customer through the channel they came from"). crm sits below the bot: it asks, through
`crm.service.deliver_replies_by("telegram", …)`, whether the bot reaches the customer (a linked
chat) and then leaves the sending to the bot, which reads `crm.ticket_replied` once the reply
is committed. A customer without a linked chat gets the reply by SMS, as before; so does one
whose chat the Bot API refuses (the customer blocked the bot), and the thread then says SMS."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import structlog
from telegram.error import TelegramError

from yagona.app.telegram import repository
from yagona.app.telegram.client import bot_client, run_to_end
from yagona.app.telegram.settings import TelegramSettings
from yagona.crm import service as crm
from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger(__name__)
CHANNEL = "telegram"
EVENT = "crm.ticket_replied"
_LINKED = (repository.LINKED, repository.PERSON)


def install(bus: EventBus, uows: UnitOfWorkFactory, settings: TelegramSettings) -> None:
    """Wire the bot into ticket replies: crm asks whether it reaches a customer; the bot sends."""
    crm.deliver_replies_by(CHANNEL, reaches)
    with contextlib.suppress(ValueError):  # a second app on the same container: wired already
        bus.subscribe(EVENT, "telegram.ticket_replies", forward(uows, settings))


def reaches(uow: UnitOfWork, customer_id: str) -> bool:
    return bool(_chats(uow, customer_id))


def _chats(uow: UnitOfWork, customer_id: str) -> list[int]:
    return [c.chat_id for c in repository.chats_of(uow.session, customer_id) if c.state in _LINKED]


def forward(uows: UnitOfWorkFactory, settings: TelegramSettings) -> Callable[[EventEnvelope], None]:
    def handle(envelope: EventEnvelope) -> None:
        payload = envelope.payload
        if payload.get("via") != CHANNEL:
            return
        with uows() as uow:
            chats = _chats(uow, str(payload["customer_id"]))
        text = f"Yagona ({payload['number']}): {payload['text']}"
        delivered: list[bool] = []
        run_to_end(_send(settings, chats, text, delivered))
        if any(delivered):
            return
        with uows() as uow:
            crm.reply_undelivered(uow, ticket_id=str(payload["ticket_id"]), via=CHANNEL, text=str(payload["text"]))
            uow.commit()

    return handle


async def _send(settings: TelegramSettings, chats: list[int], text: str, delivered: list[bool]) -> None:
    """Send to every linked chat; `delivered` gets one flag per chat."""
    bot, request = bot_client(settings)
    try:
        for chat_id in chats:
            try:
                await bot.send_message(chat_id=chat_id, text=text)
            except TelegramError as error:  # logged without the text: the reply is the customer's matter
                log.warning("telegram_reply_failed", error=type(error).__name__)
                delivered.append(False)
            else:
                delivered.append(True)
    finally:
        await request.shutdown()
