"""A Bot API client (python-telegram-bot's `Bot`) at the configured server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

from telegram import Bot
from telegram.request import HTTPXRequest

from yagona.app.telegram.settings import TelegramSettings


def bot_client(settings: TelegramSettings) -> tuple[Bot, HTTPXRequest]:
    """A client for one batch of calls; `await request.shutdown()` after it."""
    assert settings.bot_token is not None, "the bot is on only with a token"
    timeout = settings.timeout_s
    request = HTTPXRequest(
        connection_pool_size=4,
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
        pool_timeout=timeout,
    )
    bot = Bot(
        settings.bot_token.get_secret_value(),
        base_url=settings.bot_api_base(),
        request=request,
        get_updates_request=request,
    )
    return bot, request


def run_to_end(work: Coroutine[Any, Any, None]) -> None:
    """Run a sending to its end here, or — called on a thread that runs an event loop (a bus
    handler inside the webhook's request) — on a thread of its own, and wait for it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(work)
        return
    thread = threading.Thread(target=asyncio.run, args=(work,), daemon=True)
    thread.start()
    thread.join()
