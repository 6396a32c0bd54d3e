"""One phone type and one request fingerprint for every domain."""

from __future__ import annotations

import pytest

from yagona.kernel.errors import InvalidRequestError
from yagona.kernel.fingerprint import check_idempotency_key, request_fingerprint
from yagona.kernel.phone import display_msisdn, normalise_msisdn, parse_msisdn


@pytest.mark.parametrize(
    "raw",
    ["998901234567", "+998901234567", "+998 90 123-45-67", "998 (90) 123 45 67", "901234567", " 90 123 45 67 "],
)
def test_every_way_people_write_a_number_is_one_msisdn(raw: str) -> None:
    assert normalise_msisdn(raw) == "998901234567"


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "99890123456", "9989012345678", "+7 901 234 56 78", "٩٩٨٩٠١٢٣٤٥٦٧", "998_90_123_45_67", "9" * 40],
)
def test_anything_else_is_refused_with_the_phone_code(raw: str) -> None:
    assert normalise_msisdn(raw) is None
    with pytest.raises(InvalidRequestError) as refused:
        parse_msisdn(raw, field="to")
    assert refused.value.code == "invalid_phone"
    assert refused.value.details["field"] == "to"


def test_a_number_is_shown_as_people_read_it() -> None:
    assert display_msisdn("998901234567") == "+998 90 123 45 67"


def test_equal_requests_print_equal_and_any_change_prints_differently() -> None:
    first = request_fingerprint({"amount": 5_000_00, "to": "998901234567"})
    assert first == request_fingerprint({"to": "998901234567", "amount": 5_000_00})
    assert first != request_fingerprint({"amount": 5_000_01, "to": "998901234567"})


@pytest.mark.parametrize("key", ["", "a" * 121, "key with spaces", "ключ", "a/b"])
def test_an_idempotency_key_is_refused_rather_than_truncated(key: str) -> None:
    with pytest.raises(InvalidRequestError):
        check_idempotency_key(key)


def test_a_sane_idempotency_key_passes_whole() -> None:
    key = "topup:" + "x" * 114
    assert check_idempotency_key(key) == key
