"""`POST /api/v1/telegram/webhook`: Telegram's updates in, the bot's replies out.

Who may call: Telegram alone, proved by the `X-Telegram-Bot-Api-Secret-Token` header it
sends with every update (the secret `yagona telegram set-webhook` registered); anything else
is 401 and nothing is read or written. The bot off (no token): 404. The answer is 200 once the
update is handled, even when the Bot API could not take a reply (Telegram would send the
update again, and it would be handled twice)."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from telegram import Update
from telegram.error import TelegramError

from yagona.app.telegram import conversation
from yagona.app.telegram.client import bot_client
from yagona.app.telegram.conversation import BotContext, Reply
from yagona.app.telegram.settings import WEBHOOK_PATH, TelegramSettings
from yagona.kernel.errors import InvalidRequestError, NotFoundError, UnauthenticatedError
from yagona.platform.api import ApiRead
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWorkFactory

log = structlog.get_logger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
router = APIRouter(tags=["telegram"])


class WebhookAnswer(ApiRead):
    ok: bool


@dataclass(frozen=True)
class TelegramBot:
    settings: TelegramSettings
    context: BotContext
    uows: UnitOfWorkFactory

    async def send(self, replies: list[Reply]) -> None:
        if not replies:
            return
        bot, request = bot_client(self.settings)
        try:
            for reply in replies:
                await bot.send_message(chat_id=reply.chat_id, text=reply.text, reply_markup=reply.keyboard)
        except TelegramError as error:
            log.warning("telegram_send_failed", error=type(error).__name__, detail=str(error)[:200])
        finally:
            await request.shutdown()


def install(app: FastAPI, settings: Settings, telegram: TelegramSettings | None = None) -> None:
    """Mount the webhook; the bot answers when a token is configured (YAGONA_TELEGRAM_BOT_TOKEN)."""
    telegram = telegram or TelegramSettings()
    app.state.telegram = None
    if telegram.enabled:
        context = conversation.context(
            identity_ctx=app.state.identity, secret_key=settings.secret_key.get_secret_value()
        )
        app.state.telegram = TelegramBot(telegram, context, app.state.uow_factory)
    app.include_router(router)


UPDATE_BODY: dict[str, Any] = {
    "required": True,
    "content": {"application/json": {"schema": {"type": "object", "description": "a Telegram `Update`"}}},
}


@router.post(
    WEBHOOK_PATH,
    summary="Telegram's updates (Bot API webhook, X-Telegram-Bot-Api-Secret-Token)",
    openapi_extra={"security": [], "requestBody": UPDATE_BODY},
    responses={
        401: {"description": "no or a wrong `X-Telegram-Bot-Api-Secret-Token` (`unauthenticated`)"},
        404: {"description": "the bot is off: no token configured (`not_found`)"},
    },
)
async def webhook(request: Request) -> WebhookAnswer:
    """One update from Telegram: the bot answers the chat through the Bot API."""
    bot: TelegramBot | None = request.app.state.telegram
    if bot is None:
        raise NotFoundError("the Telegram bot is off")
    secret = bot.settings.webhook_secret.get_secret_value().encode() if bot.settings.webhook_secret else b""
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not secret or not hmac.compare_digest(given, secret):
        raise UnauthenticatedError("not Telegram: the webhook's secret token is missing or wrong")
    try:
        data = json.loads(await request.body())
        update = Update.de_json(data, None) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError, AttributeError):
        update = None
    if update is None:
        raise InvalidRequestError("the body is not a Telegram update", field="body")
    replies = await run_in_threadpool(conversation.process, bot.uows, bot.context, update)
    await bot.send(replies)
    return WebhookAnswer(ok=True)
