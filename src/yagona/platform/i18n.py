"""Refusals in the caller's language. Every domain (and the platform) ships a
`messages.yaml` beside its `errors.py`: code → {uz, ru, en} templates filled from the
error's details. English speaks the raise site's own message, which is the most precise;
Uzbek and Russian use the template (or its text before the first placeholder when a
detail it names is missing)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources

import yaml

from yagona.kernel.errors import YagonaError

LANGUAGES = ("uz", "ru", "en")
DEFAULT_LANGUAGE = "uz"


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Every code's templates, from every package of `yagona` that has a messages.yaml."""
    merged: dict[str, Mapping[str, str]] = {}
    root = resources.files("yagona")
    for package in sorted(root.iterdir(), key=lambda entry: entry.name):
        path = package / "messages.yaml"
        if not path.is_file():
            continue
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for code, texts in entries.items():
            assert code not in merged, f"the error code {code} is translated twice"
            assert set(texts) == set(LANGUAGES), f"{package.name}/messages.yaml: {code} needs uz, ru and en"
            merged[code] = texts
    return merged


def localize(error: YagonaError, language: str) -> str:
    """The refusal said to a person in `language`."""
    texts = catalogue().get(error.code)
    if language == "en" or texts is None:
        return error.message
    template = texts.get(language, "")
    try:
        return template.format_map(_Strict(error.details))
    except (KeyError, IndexError, ValueError):
        return template.split("{", 1)[0].rstrip(" :—-") or error.message


def negotiate(accept_language: str | None, *, default: str = DEFAULT_LANGUAGE) -> str:
    """The first of uz, ru, en that an `Accept-Language` header asks for, by its q-values."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-", 1)[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else default


class _Strict(dict[str, object]):
    def __missing__(self, key: str) -> object:
        raise KeyError(key)
