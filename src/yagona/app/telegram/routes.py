"""`POST /api/v1/telegram/webhook`: Telegram's updates in, the bot's replies out.

Who may call: Telegram alone, proved by the `X-Telegram-Bot-Api-Secret-Token` header it
sends with every update (the secret `yagona telegram set-webhook` registered); anything else
is 401 and nothing is read or written. The bot off (no token): 404. The answer is 200 once the
update is handled, even when the Bot API could not take a reply (Telegram would send the
update again, and it would be handled twice)."""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request

from yagona.app.telegram.settings import WEBHOOK_PATH, TelegramSettings
from yagona.kernel.errors import InvalidRequestError, NotFoundError, UnauthenticatedError
from yagona.platform.api import ApiRead
from yagona.platform.settings import Settings

if TYPE_CHECKING:
    from yagona.app.telegram.bot import TelegramBot

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header's name
router = APIRouter(tags=["telegram"])


class WebhookAnswer(ApiRead):
    ok: bool


def install(app: FastAPI, settings: Settings, telegram: TelegramSettings | None = None) -> None:
    """Mount the webhook; the bot answers when a token is configured (YAGONA_TELEGRAM_BOT_TOKEN)."""
    telegram = telegram or TelegramSettings()
    app.state.telegram = None
    if telegram.enabled:
        from yagona.app.telegram.bot import TelegramBot  # noqa: PLC0415 - a second of import, only when on

        app.state.telegram = bot = TelegramBot(
            telegram,
            identity=app.state.identity,
            secret_key=settings.secret_key.get_secret_value(),
            uows=app.state.uow_factory,
        )
        _close_on_shutdown(app, bot)
        from yagona.app.telegram import replies  # noqa: PLC0415 - with the bot

        replies.install(app.state.container.bus, app.state.uow_factory, telegram)
        from yagona.app.telegram import approvals  # noqa: PLC0415 - with the bot

        secret = settings.secret_key.get_secret_value()
        approvals.install(app.state.container.bus, app.state.uow_factory, telegram, secret_key=secret)
    app.include_router(router)


def _close_on_shutdown(app: FastAPI, bot: TelegramBot) -> None:
    """The Bot API client's connections close with the server (around any lifespan it has)."""
    outer = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with outer(application) as state:
            yield state
        await bot.close()

    app.router.lifespan_context = lifespan


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
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequestError("the body is not JSON", field="body") from None
    await bot.answer(data)
    return WebhookAnswer(ok=True)
