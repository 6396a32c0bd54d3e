"""What the wallet's use cases need besides the unit of work, handed in by the composition
root (`app/bootstrap.py`): the settings (checked against the environment), the environment
itself (simulators of money run only in dev and test), the sealer of the SMS it queues,
and the providers other domains serve (`PaymentProvider`). Nothing is read at import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from yagona.notify import service as notify
from yagona.platform.sealing import Sealer
from yagona.platform.uow import UnitOfWork
from yagona.wallet.biller import HttpBiller, InProcessBiller
from yagona.wallet.schemas import Biller
from yagona.wallet.settings import SIMULATOR_ENVIRONMENTS, WalletSettings


class PaymentProvider(Protocol):
    """A provider served by another domain (mobile → lines), registered by `app/bootstrap.py`.

    The wallet moves the money itself, in one linked ledger batch, to the account the
    provider names; the provider then applies its effects in the same unit of work.
    """

    def settlement_account(self, uow: UnitOfWork, *, account: str) -> str:
        """Validate `account` (raise not_found / invalid_request) and name the ledger account
        to credit, e.g. `line:<msisdn>`."""
        ...

    def apply_payment(self, uow: UnitOfWork, *, account: str, amount: int, idempotency_key: str) -> None:
        """The money is on the account named above (same transaction): apply what follows
        from it (a line in debt is unblocked…). Must be idempotent by `idempotency_key`."""
        ...


@dataclass(frozen=True)
class WalletContext:
    settings: WalletSettings
    env: str
    messages: Sealer  # notify's sealer: the SMS the wallet queues (PIN reset, blocks)
    providers: Mapping[str, PaymentProvider] = field(default_factory=dict)
    biller: Biller | None = None  # the utilities' biller; None refuses utility payments
    # The PIN peppers by id (the current one and those still accepted), never stored.
    pin_peppers: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def card_simulator(self) -> bool:
        """The simulator answers only in dev and test, whatever the settings say."""
        return bool(self.settings.card_simulator) and self.env in SIMULATOR_ENVIRONMENTS


def make_context(
    *,
    settings: WalletSettings,
    env: str,
    secret_key: str,
    providers: Mapping[str, PaymentProvider] | None = None,
    biller: Biller | None = None,
) -> WalletContext:
    """Refuses settings that the environment forbids (a card simulator in prod). Without a
    `biller`, utility payments are refused (`biller_unavailable`)."""
    return WalletContext(
        settings=settings.for_environment(env),
        env=env,
        messages=notify.sealer_for(secret_key),
        providers=dict(providers or {}),
        biller=biller,
        pin_peppers=settings.pin_peppers(secret_key),
    )


def biller_for(settings: WalletSettings, *, simulators: bool, url: str | None = None) -> Biller | None:
    """The biller at `url` (else the configured one) over HTTP; with none configured, the
    simulator's answers in process where simulators run (dev, test), and none elsewhere."""
    url = url or settings.biller_url
    if url is not None:
        return HttpBiller(base_url=url, timeout_s=settings.biller_timeout_s)
    return InProcessBiller() if simulators else None


_installed: list[WalletContext] = []


def configure(ctx: WalletContext) -> None:
    """The composition root installs the process's wallet context (bootstrap, once)."""
    _installed[:] = [ctx]


def current() -> WalletContext:
    if not _installed:
        raise RuntimeError("the wallet is not configured: app/bootstrap.py installs its context")
    return _installed[0]


def register_payment_providers(providers: Mapping[str, PaymentProvider]) -> None:
    """Replace the protocol-settled providers of the installed context (tests' stand-ins)."""
    configure(replace(current(), providers=dict(providers)))


def use_biller(biller: Biller | None) -> None:
    """Replace the installed context's biller (a server's tests point it at the simulator's
    URL once the port is known: `biller_for(settings, env, url=...)`)."""
    configure(replace(current(), biller=biller))


def registered_payment_providers() -> dict[str, PaymentProvider]:
    return dict(current().providers)
