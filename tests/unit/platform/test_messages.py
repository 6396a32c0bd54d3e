"""Every refusal can be said in Uzbek, Russian and English: each `YagonaError` subclass of
`yagona.*` has its code in some `messages.yaml`, with all three languages."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import yagona
from yagona.kernel.errors import YagonaError
from yagona.platform.i18n import LANGUAGES, catalogue, localize, negotiate


def _every_error_class() -> list[type[YagonaError]]:
    for module in pkgutil.walk_packages(yagona.__path__, "yagona."):
        if ".migrations" in module.name or ".bench" in module.name:
            continue
        importlib.import_module(module.name)
    found: list[type[YagonaError]] = []
    todo = [YagonaError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    # A class that keeps the base code "error" is an abstract mixin (identity's RecordedRefusalError).
    return [k for k in found if k.__module__.startswith("yagona.") and k.code != YagonaError.code]


ERRORS = sorted({kind.code: kind for kind in _every_error_class()}.items())


@pytest.mark.parametrize(("code", "kind"), ERRORS, ids=[code for code, _ in ERRORS])
def test_every_refusal_has_uz_ru_and_en(code: str, kind: type[YagonaError]) -> None:
    texts = catalogue().get(code)
    assert texts is not None, f"{kind.__module__}.{kind.__name__}: code {code!r} is in no messages.yaml"
    assert set(texts) == set(LANGUAGES) and all(texts[lang].strip() for lang in LANGUAGES)


def test_the_catalogue_is_found_and_localises() -> None:
    assert {"invalid_request", "not_found", "account_conflict", "plan_closed", "field_missing"} <= set(catalogue())
    error = YagonaError("no such plan")
    assert localize(error, "en") == "no such plan"
    assert negotiate(None) == "uz" and negotiate("ru-RU,en;q=0.5") == "ru" and negotiate("fr, en;q=0.2") == "en"
