"""What every use case of identity gets besides its unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yagona.identity.credentials import PasswordHashing
from yagona.identity.settings import IdentitySettings, simulators_allowed
from yagona.kernel.phone import parse_msisdn
from yagona.notify import service as notify
from yagona.platform.sealing import Pepper, Sealer

TOTP_INTERVAL_S = 30


@dataclass
class IdentityContext:
    """What identity's use cases need besides the unit of work: settings, the password
    hasher, and keys derived from `YAGONA_SECRET_KEY`. Built once per process by the
    composition root."""

    settings: IdentitySettings
    env: str
    passwords: PasswordHashing
    pepper: Pepper
    sealer: Sealer
    messages: Sealer
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def secure_cookies(self) -> bool:
        return self.env not in ("dev", "test")

    @property
    def oneid_simulator(self) -> bool:
        """The built-in OneID simulator answers only in dev and test, and only when enabled."""
        return simulators_allowed(self.env) and self.settings.simulator_enabled(self.env)


def make_context(*, secret_key: str, env: str, settings: IdentitySettings | None = None) -> IdentityContext:
    """The context of one process. `settings` are the composition root's (read from the
    environment when not given); a simulator switched on outside dev/test is refused."""
    settings = settings or IdentitySettings()
    if settings.oneid_simulator and not simulators_allowed(env):
        raise ValueError("YAGONA_IDENTITY_ONEID_SIMULATOR: the OneID simulator runs only in dev and test")
    return IdentityContext(
        settings=settings,
        env=env,
        passwords=PasswordHashing(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
        ),
        pepper=Pepper(secret_key, "identity.otp"),
        sealer=Sealer(secret_key, "identity"),
        messages=notify.sealer_for(secret_key),
    )


def phone_or_refuse(raw: str, *, field: str = "phone") -> str:
    """The normalised MSISDN (`yagona.kernel.phone`), or `invalid_phone`."""
    return parse_msisdn(raw, field=field)
