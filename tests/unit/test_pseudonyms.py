"""Keyed pseudonyms: stable, keyed, kept apart by kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yagona.privacy import service as privacy


@pytest.fixture(autouse=True)
def _key() -> Iterator[None]:
    privacy.configure(secret_key="k" * 32)
    yield
    privacy.configure(secret_key="k" * 32)


def test_a_pseudonym_is_stable_and_hides_the_value() -> None:
    first = privacy.pseudonym("+998901234567", kind="phone")
    assert first == privacy.pseudonym("+998901234567", kind="phone")
    assert "998901234567" not in first
    assert first != privacy.pseudonym("+998901234568", kind="phone")


def test_the_kind_and_the_key_change_the_pseudonym() -> None:
    as_phone = privacy.pseudonym("42", kind="phone")
    assert as_phone != privacy.pseudonym("42", kind="customer")
    privacy.configure(secret_key="another operator's secret key!!")
    assert privacy.pseudonym("42", kind="phone") != as_phone
