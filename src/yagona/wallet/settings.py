"""The wallet's own settings (`YAGONA_WALLET_` prefix): the offer's numbers that the
operator may change without code. `platform/settings.py` knows no domain, so they live here.
Nothing reads them at import: the composition root (`app/bootstrap.py`) builds them once,
checks them against the environment (`for_environment`) and hands them to the service."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from yagona.kernel.money import TIYIN_PER_SOM

CardOutcomeName = Literal["approve", "decline", "hold"]
SIMULATOR_ENVIRONMENTS = ("dev", "test")
PEPPER_ID = r"^[A-Za-z0-9_-]{1,16}$"
PEPPER_MIN_LENGTH = 32


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
    # PINs are stored as HMAC-SHA-256 keyed by a pepper held outside the database (here, in
    # the environment), with the pepper's id in each hash (docs/wallet.md, "PINs"). None:
    # a pepper derived from YAGONA_SECRET_KEY (strong in prod). To rotate: a new pepper and
    # id here, the old ones in `pin_old_peppers` ({"id": "pepper"}, JSON): they still verify,
    # and each PIN is rehashed with the new pepper on its next success.
    pin_pepper: SecretStr | None = Field(default=None, repr=False)
    pin_pepper_id: str = Field(default="1", pattern=PEPPER_ID)
    pin_old_peppers: dict[str, SecretStr] = Field(default_factory=dict, repr=False)
    # A PIN restore after a forgotten PIN (4.6.6) needs a One ID session signed in with an
    # SMS code to the wallet's phone within this many minutes.
    pin_restore_reauth_minutes: int = Field(default=10, ge=1, le=60)
    # Wrong birth dates on that restore: counted apart from the PIN, locked for this long
    # after too many. No customer call resets it; time does, or the call-centre's restore.
    birth_date_attempts_max: int = Field(default=3, ge=1, le=20)
    birth_date_lockout_minutes: int = Field(default=24 * 60, ge=1, le=30 * 24 * 60)
    # Offer 4.6.3: a lost phone's wallet keeps its balance this long from the block.
    lost_keep_years: int = Field(default=3, ge=1, le=50)
    # The edition of the public offer that registration accepts (the customer names it).
    offer_version: str = Field(default="2020-03-28", pattern=r"^[A-Za-z0-9._-]{1,40}$")
    # The mandatory details of a receipt (offer 2.19; what a fiscal receipt carries).
    operator_name: str = Field(default='"CLICK" MChJ', min_length=1, max_length=120)
    operator_tin: str = Field(default="000000000", pattern=r"^\d{9}$")  # STIR
    # The fiscal module's terminal id; when set, every receipt carries a fiscal mark.
    fiscal_terminal_id: str | None = Field(default=None, pattern=r"^[A-Z0-9]{6,20}$")
    fiscal_sign_key: str = Field(default="dev-fiscal-key", min_length=8, max_length=200, repr=False)
    # The built-in card-processor simulator (top-ups and payouts): only in dev and test.
    # None = on in dev/test, off elsewhere; True in prod is refused when the app starts.
    card_simulator: bool | None = None
    # A card number ending in one of these suffixes is declined or left pending
    # (confirmed later by a callback); others get the default.
    card_simulator_default: CardOutcomeName = "approve"
    card_simulator_decline_suffix: str = Field(default="0002", pattern=r"^\d{1,6}$")
    card_simulator_hold_suffix: str = Field(default="0003", pattern=r"^\d{1,6}$")
    # The card used when a channel names none (the sandbox's `wallet.topup … source: card`).
    card_simulator_test_card: str = Field(default="8600000000000001", pattern=r"^\d{16}$")
    # The utilities' biller (docs/wallet.md, "Billers"): its base URL and how long the wallet
    # waits for an answer. No URL: in dev and test the simulator answers in process; in prod
    # utility payments are refused (`biller_unavailable`) until one is configured.
    biller_url: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    biller_timeout_s: float = Field(default=3.0, gt=0, le=30)

    @model_validator(mode="after")
    def _check_peppers(self) -> WalletSettings:
        for pepper_id, pepper in [(self.pin_pepper_id, self.pin_pepper), *self.pin_old_peppers.items()]:
            if pepper is not None and len(pepper.get_secret_value()) < PEPPER_MIN_LENGTH:
                raise ValueError(f"the PIN pepper {pepper_id!r} is weak: it needs {PEPPER_MIN_LENGTH}+ characters")
            if not re.match(PEPPER_ID, pepper_id):
                raise ValueError(f"a PIN pepper id is 1 to 16 letters, digits, - or _: {pepper_id!r}")
        if self.pin_pepper_id in self.pin_old_peppers:
            raise ValueError(f"the PIN pepper id {self.pin_pepper_id!r} is the current one and an old one")
        return self

    def pin_peppers(self, secret_key: str) -> dict[str, bytes]:
        """Every pepper that verifies, by id; the current one is `pin_pepper_id`'s."""
        current = (
            self.pin_pepper.get_secret_value().encode()
            if self.pin_pepper is not None
            else hmac.new(secret_key.encode(), b"yagona wallet PIN pepper", hashlib.sha256).hexdigest().encode()
        )
        old = {pepper_id: pepper.get_secret_value().encode() for pepper_id, pepper in self.pin_old_peppers.items()}
        return {**old, self.pin_pepper_id: current}

    @property
    def light_limit_tiyin(self) -> int:
        return self.bhm_som * TIYIN_PER_SOM * self.light_limit_bhm

    def for_environment(self, env: str) -> WalletSettings:
        """These settings checked against `env`: a simulator of money (the card processor)
        cannot be switched on outside dev and test. Returns them with the simulator decided."""
        sandboxed = env in SIMULATOR_ENVIRONMENTS
        if self.card_simulator and not sandboxed:
            raise ValueError(f"YAGONA_WALLET_CARD_SIMULATOR cannot be enabled in {env}: it approves money from nothing")
        decided = sandboxed if self.card_simulator is None else self.card_simulator
        return self.model_copy(update={"card_simulator": decided})
