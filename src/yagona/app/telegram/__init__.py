"""The Telegram bot: a channel adapter of the composition root (docs/telegram.md).

Telegram posts each update to our webhook (`routes.py`); the conversation (`conversation.py`)
links a chat to One ID by the shared contact and an SMS code, then answers the customer's
commands (`commands.py`) from the domains' public services; the replies go back through the
Bot API (python-telegram-bot's `Bot`, pointed at `YAGONA_TELEGRAM_API_URL`). Every message in
and out is an interaction on the customer's CRM timeline. No business rule lives here."""
