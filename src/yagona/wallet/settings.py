"""The wallet's own settings (`YAGONA_WALLET_` prefix): the offer's numbers that the
operator may change without code. `platform/settings.py` knows no domain, so they live here."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from yagona.kernel.money import TIYIN_PER_SOM

CardOutcomeName = Literal["approve", "decline", "hold"]


class WalletSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAGONA_WALLET_", extra="ignore", frozen=True)

    # Offer 4.5.1: 1 BHM = 245 000 so'm; a Light wallet holds and takes in at most 5 BHM.
    bhm_som: int = Field(default=245_000, ge=1, le=100_000_000)
    light_limit_bhm: int = Field(default=5, ge=1, le=1_000)
    # Offer 4.5.1 a): top-ups are summed over 30 calendar days (Tashkent dates).
    topup_window_days: int = Field(default=30, ge=1, le=366)
    # Offer 4.5.3, 4.6.1 d): more than 3 years without an operation blocks the wallet for good.
    dormancy_years: int = Field(default=3, ge=1, le=50)
    # A fraud freeze postpones dormancy: the job looks again after this many days.
    dormancy_recheck_days: int = Field(default=30, ge=1, le=3_650)
    # Offer 2.5: a legally capable natural person.
    minimum_age_years: int = Field(default=18, ge=0, le=30)
    # CLICK-PIN (offer 2.15): digits only; wrong attempts lock the PIN for a while.
    pin_length_min: int = Field(default=4, ge=4, le=12)
    pin_length_max: int = Field(default=6, ge=4, le=12)
    pin_attempts_max: int = Field(default=3, ge=1, le=20)
    pin_lockout_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    # Argon2id, at least OWASP's minimum (19 MiB, 2 passes) unless lowered for benchmarks.
    pin_hash_time_cost: int = Field(default=2, ge=1, le=10)
    pin_hash_memory_kib: int = Field(default=19_456, ge=8, le=1_048_576)
    pin_hash_parallelism: int = Field(default=1, ge=1, le=16)
    # The built-in card-processor simulator: a card number ending in one of these suffixes
    # is declined or left pending (confirmed later by a callback); others get the default.
    card_simulator_default: CardOutcomeName = "approve"
    card_simulator_decline_suffix: str = Field(default="0002", pattern=r"^\d{1,6}$")
    card_simulator_hold_suffix: str = Field(default="0003", pattern=r"^\d{1,6}$")
    # The card used when a channel names none (the sandbox's `wallet.topup … source: card`).
    card_simulator_test_card: str = Field(default="8600000000000001", pattern=r"^\d{16}$")

    @property
    def light_limit_tiyin(self) -> int:
        return self.bhm_som * TIYIN_PER_SOM * self.light_limit_bhm


_configured: WalletSettings | None = None


def configure(settings: WalletSettings | None) -> None:
    """Use `settings` from now on (tests, benchmarks); None goes back to the environment."""
    global _configured  # noqa: PLW0603 - one process-wide choice, set by the composition root
    _configured = settings
    _from_environment.cache_clear()


def current() -> WalletSettings:
    return _configured if _configured is not None else _from_environment()


@lru_cache(maxsize=1)
def _from_environment() -> WalletSettings:
    return WalletSettings()
