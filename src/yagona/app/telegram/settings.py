"""The bot's settings (`YAGONA_TELEGRAM_` prefix). The bot is off until a token is set."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WEBHOOK_PATH = "/api/v1/telegram/webhook"


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAGONA_TELEGRAM_", extra="ignore")

    # From @BotFather. None: the bot is off and its webhook answers 404.
    bot_token: SecretStr | None = None
    # Sent by Telegram in X-Telegram-Bot-Api-Secret-Token with every update (set by
    # `yagona telegram set-webhook`); an update without it is refused. 1-256 of A-Z a-z 0-9 _ -.
    webhook_secret: SecretStr | None = None
    # The Bot API server: Telegram's, or a local Bot API server (tests: a stand-in).
    api_url: str = Field(default="https://api.telegram.org", pattern=r"^https?://[^\s?#]+$")
    timeout_s: float = Field(default=10.0, gt=0, le=60)

    @model_validator(mode="after")
    def _secret_with_token(self) -> TelegramSettings:
        if self.bot_token is not None:
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not (16 <= len(secret) <= 256) or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret):
                raise ValueError(
                    "YAGONA_TELEGRAM_WEBHOOK_SECRET: with a bot token, 16-256 characters of A-Z a-z 0-9 _ -"
                )
        return self

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None

    def bot_api_base(self) -> str:
        """The base URL python-telegram-bot appends the token to: `<api_url>/bot`."""
        return self.api_url.rstrip("/") + "/bot"
