"""The bot's words (texts.yaml): one key, three languages."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources

import yaml

from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn

LANGUAGES = ("uz", "ru", "en")
DEFAULT_LANGUAGE = "uz"
LANGUAGE_NAMES = {"uz": "🇺🇿 O'zbekcha", "ru": "🇷🇺 Русский", "en": "🇬🇧 English"}


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    text = resources.files("yagona.app.telegram").joinpath("texts.yaml").read_text(encoding="utf-8")
    entries: dict[str, dict[str, str]] = yaml.safe_load(text)
    for key, words in entries.items():
        assert set(words) == set(LANGUAGES), f"telegram/texts.yaml: {key} needs uz, ru and en"
    return entries


def say(key: str, language: str, **values: object) -> str:
    words = catalogue()[key]
    return words.get(language, words[DEFAULT_LANGUAGE]).format(**values)


def has(key: str) -> bool:
    return key in catalogue()


def language_of(code: str | None) -> str:
    """A Telegram `language_code` (`ru`, `en-US`) as one of ours; Uzbek otherwise."""
    primary = (code or "").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def som(tiyin: int, language: str) -> str:
    return f"{Money(tiyin).format(currency=False)} {say('currency', language)}"


def phone(msisdn: str) -> str:
    try:
        return display_msisdn(msisdn)
    except AssertionError:
        return msisdn


def masked(msisdn: str) -> str:
    """`+998 90 *** ** 67`: where a code went, without the whole number."""
    return f"+998 {msisdn[3:5]} *** ** {msisdn[10:12]}" if len(msisdn) == 12 else "***"
