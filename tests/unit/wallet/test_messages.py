"""Every refusal of the wallet speaks Uzbek, Russian and English (messages.yaml)."""

from __future__ import annotations

from yagona.platform.i18n import LANGUAGES, catalogue, localize
from yagona.wallet import errors
from yagona.wallet.errors import OfferVersionError, ReauthenticationRequiredError


def _subclasses(base: type) -> set[type]:
    found = set(base.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_wallet_error_code_has_three_languages() -> None:
    codes = {
        cls.code
        for cls in _subclasses(errors.YagonaError)
        if cls.__module__ == errors.__name__ and cls.__name__ != "YagonaError"
    }
    assert {"wallet_exists", "invalid_pin", "sms_sign_in_required", "offer_version_mismatch"} <= codes
    for code in codes:
        assert set(catalogue()[code]) == set(LANGUAGES), code


def test_refusals_are_rendered_in_the_callers_language() -> None:
    error = OfferVersionError("the offer in force is version v2", current="v2")
    assert "v2" in localize(error, "uz") and "v2" in localize(error, "ru")
    assert localize(ReauthenticationRequiredError("x", minutes=10), "ru").startswith("Войдите")
