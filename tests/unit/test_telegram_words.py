"""The bot's words and commands without a server: every text in three languages, every button
understood in every language, and the settings that keep a token from running without a secret."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from yagona.app.telegram.commands import BUTTONS, command_of
from yagona.app.telegram.settings import TelegramSettings
from yagona.app.telegram.texts import LANGUAGE_NAMES, LANGUAGES, catalogue, language_of, masked, say, som


def test_every_text_has_uz_ru_and_en_with_the_same_placeholders() -> None:
    import string

    for key, words in catalogue().items():
        assert set(words) == set(LANGUAGES), key
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(text) if f} for lang, text in words.items()}
        assert fields["uz"] == fields["ru"] == fields["en"], key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_and_slash_command_is_understood_in_every_language(language: str) -> None:
    for name in BUTTONS:
        assert command_of(say(f"button_{name}", language)) == (name, "")
        assert command_of(f"/{name}@yagona_bot") == (name, "")
    assert command_of("/language en") == ("language", "en")
    assert command_of(LANGUAGE_NAMES["ru"]) == ("language", "ru")
    assert command_of("/unknown") == (None, "")
    assert command_of("hello") == (None, "hello")


def test_languages_money_and_masked_phones() -> None:
    assert [language_of(code) for code in ("ru", "en-US", "uz", "de", None)] == ["ru", "en", "uz", "uz", "uz"]
    assert som(13_703_550, "ru") == "137 035.50 сум"
    assert masked("998901234567") == "+998 90 *** ** 67"


def test_a_token_needs_a_strong_webhook_secret() -> None:
    assert not TelegramSettings().enabled
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        TelegramSettings(bot_token="1:a")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        TelegramSettings(bot_token="1:a", webhook_secret="short")  # type: ignore[arg-type]
    on = TelegramSettings(bot_token="1:a", webhook_secret="a-good-secret_0123456789", api_url="http://127.0.0.1:9/")  # type: ignore[arg-type]
    assert on.enabled and on.bot_api_base() == "http://127.0.0.1:9/bot"
