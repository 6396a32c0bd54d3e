"""Facts the ledger publishes. The ledger moves money for other domains, which publish
their own business events (a top-up, a renewal); it announces only its own changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class AccountOpened(DomainEvent):
    name: ClassVar[str] = "ledger.account_opened"
    code: str
    owner: str
    kind: str
    unit: str
