"""Every refusal of identity and notify speaks Uzbek, Russian and English."""

from __future__ import annotations

import inspect

import pytest

import yagona.identity.errors
import yagona.notify.errors
from yagona.kernel.errors import YagonaError
from yagona.platform.i18n import catalogue, localize


@pytest.mark.parametrize("module", [yagona.identity.errors, yagona.notify.errors])
def test_every_error_code_has_three_languages(module: object) -> None:
    codes = {
        cls.code
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, YagonaError) and cls.code != "error"
    }
    assert codes
    for code in codes:
        assert set(catalogue()[code]) == {"uz", "ru", "en"}, code


def test_a_refusal_is_said_in_the_callers_language() -> None:
    from yagona.identity.errors import OneIdStateError
    from yagona.notify.errors import UnknownTemplateError

    error = OneIdStateError("the OneID answer does not belong to this browser's sign-in; start again")
    assert localize(error, "ru").startswith("Ответ OneID")
    assert localize(error, "uz").startswith("OneID javobi")
    assert localize(error, "en") == error.message
    assert localize(UnknownTemplateError("no template x", template="x"), "uz").endswith(": x")
