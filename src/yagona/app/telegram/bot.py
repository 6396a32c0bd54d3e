"""The bot of one server process: an update in, the conversation, the replies out through the
Bot API. Imported only when the bot is on (python-telegram-bot takes a second to import)."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from starlette.concurrency import run_in_threadpool
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from yagona.app.telegram import approvals, conversation
from yagona.app.telegram.client import bot_client
from yagona.app.telegram.conversation import Reply
from yagona.app.telegram.settings import TelegramSettings
from yagona.identity.service import IdentityContext
from yagona.kernel.errors import InvalidRequestError
from yagona.platform.uow import UnitOfWorkFactory

log = structlog.get_logger(__name__)


class TelegramBot:
    """Its settings, the conversation's context, and one Bot API client kept for the event
    loop that serves the webhook (a new loop gets a new client)."""

    def __init__(
        self, settings: TelegramSettings, *, identity: IdentityContext, secret_key: str, uows: UnitOfWorkFactory
    ) -> None:
        self.settings, self.uows = settings, uows
        self.context = conversation.context(identity_ctx=identity, secret_key=secret_key)
        self.callbacks = approvals.Callbacks(secret_key=secret_key)  # the access requests' buttons
        self._client: tuple[asyncio.AbstractEventLoop, Bot, HTTPXRequest] | None = None

    async def answer(self, data: Any) -> None:
        """Handle one update (a decoded JSON body) and send the replies."""
        try:
            update = Update.de_json(data, None) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError):
            update = None
        if update is None:
            raise InvalidRequestError("the body is not a Telegram update", field="body")
        if approvals.ours(update):  # Approve / Deny on a member of staff's access request
            decided = await run_in_threadpool(approvals.decide, self.uows, self.context, self.callbacks, update)
            await approvals.answer(self._bot(), decided)
            return
        replies = await run_in_threadpool(conversation.process, self.uows, self.context, update)
        await self.send(replies)

    async def send(self, replies: list[Reply]) -> None:
        """The replies, in order. A Bot API refusal is logged: the update stays answered."""
        if not replies:
            return
        bot = self._bot()
        try:
            for reply in replies:
                if reply.delete_message_id is not None:
                    await self._delete(bot, reply.chat_id, reply.delete_message_id)
                await bot.send_message(chat_id=reply.chat_id, text=reply.text, reply_markup=reply.keyboard)
        except TelegramError as error:
            log.warning("telegram_send_failed", error=type(error).__name__, detail=str(error)[:200])

    @staticmethod
    async def _delete(bot: Bot, chat_id: int, message_id: int) -> None:
        """The customer's message (it held a PIN) goes from the chat; a refusal (too old, gone
        already) is logged without the message and the reply is sent all the same."""
        try:
            await bot.delete_message(chat_id=chat_id, message_id=message_id)
        except TelegramError as error:
            log.warning("telegram_delete_failed", error=type(error).__name__)

    async def close(self) -> None:
        if self._client is not None:
            await self._client[2].shutdown()
            self._client = None

    def _bot(self) -> Bot:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client[0] is not loop:
            bot, request = bot_client(self.settings)
            self._client = (loop, bot, request)
        return self._client[1]
