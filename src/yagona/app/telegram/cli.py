"""`yagona telegram set-webhook URL`: tell Telegram where to post the bot's updates."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from yagona.app.telegram.settings import WEBHOOK_PATH, TelegramSettings

app = typer.Typer(help="The Telegram bot (docs/telegram.md).", no_args_is_help=True)


@app.command("set-webhook")
def set_webhook(
    url: Annotated[str, typer.Argument(help=f"The server's public https URL, e.g. https://yagona.uz{WEBHOOK_PATH}")],
) -> None:
    """Register the webhook URL and the secret Telegram sends with each update (setWebhook)."""
    settings = TelegramSettings()
    if settings.bot_token is None or settings.webhook_secret is None:
        typer.echo("error[invalid_request]: set YAGONA_TELEGRAM_BOT_TOKEN and YAGONA_TELEGRAM_WEBHOOK_SECRET", err=True)
        raise typer.Exit(2)
    if not url.startswith(("https://", "http://")) or not url.rstrip("/").endswith(WEBHOOK_PATH):
        typer.echo(f"error[invalid_request]: the URL is the server's, ending in {WEBHOOK_PATH}", err=True)
        raise typer.Exit(2)
    done = asyncio.run(_set(settings, url))
    typer.echo(f"webhook set: {url}" if done else "error[unavailable]: Telegram did not take the webhook")
    if not done:
        raise typer.Exit(1)


async def _set(settings: TelegramSettings, url: str) -> bool:
    from yagona.app.telegram.client import bot_client  # noqa: PLC0415 - python-telegram-bot, only when used

    assert settings.webhook_secret is not None
    bot, request = bot_client(settings)
    try:
        done: bool = await bot.set_webhook(
            url=url, secret_token=settings.webhook_secret.get_secret_value(), allowed_updates=["message"]
        )
        return done
    finally:
        await request.shutdown()
