"""The platform's settings guarantee what no configuration may undo."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from yagona.platform.settings import Settings

STRONG = "Prod-secret-0123456789-abcdefghijKLM"


def test_simulators_cannot_be_switched_on_in_production() -> None:
    with pytest.raises(ValidationError, match="simulators run only in dev and test"):
        Settings(env="prod", secret_key=STRONG, simulators=True)  # type: ignore[arg-type]


def test_simulators_are_off_in_production_and_on_in_dev_and_test() -> None:
    assert not Settings(env="prod", secret_key=STRONG).simulators_enabled  # type: ignore[arg-type]
    assert not Settings(env="prod", secret_key=STRONG, simulators=False).simulators_enabled  # type: ignore[arg-type]
    assert Settings(env="dev").simulators_enabled and Settings(env="test").simulators_enabled
    assert not Settings(env="test", simulators=False).simulators_enabled


def test_simulators_from_the_environment_are_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YAGONA_ENV", "prod")
    monkeypatch.setenv("YAGONA_SECRET_KEY", STRONG)
    monkeypatch.setenv("YAGONA_SIMULATORS", "true")
    with pytest.raises(ValidationError):
        Settings()


def test_the_api_docs_are_off_in_production_unless_asked_for() -> None:
    assert Settings(env="dev").docs_enabled and Settings(env="test").docs_enabled
    assert not Settings(env="prod", secret_key=STRONG).docs_enabled  # type: ignore[arg-type]
    assert Settings(env="prod", secret_key=STRONG, http={"docs": True}).docs_enabled  # type: ignore[arg-type]
    assert not Settings(env="dev", http={"docs": False}).docs_enabled  # type: ignore[arg-type]
