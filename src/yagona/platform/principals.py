"""Who a caller is, as their credential proves it: the customer's `Principal` and the staff's
`StaffPrincipal`. Plain data without FastAPI, so the services that take them import no HTTP
stack (`yagona simulate`, the CLI); the dependencies that make them are `platform.auth`'s."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Principal:
    """A signed-in customer, as the credential proves them."""

    customer_id: str
    phones: tuple[str, ...]  # the profile's own verified phones (sign-in numbers, wallets)
    lines: tuple[str, ...]  # mobile lines linked to the profile (proved by SMS code, or connected for them)
    via: Literal["session", "bearer"]
    scopes: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None
    language: str = "uz"
    # How the session behind the credential signed in ("otp" = an SMS code to the phone,
    # "pwd", "totp") and when: what a sensitive operation (a PIN reset) asks to be fresh.
    auth_methods: tuple[str, ...] = ()
    authenticated_at: datetime | None = None
    # The phone whose SMS code (or password) opened the session: "a session of that phone".
    signed_in_phone: str | None = None

    def may(self, scope: str) -> bool:
        return self.via == "session" or scope in self.scopes

    def owns_phone(self, msisdn: str) -> bool:
        return msisdn in self.phones

    def owns_line(self, msisdn: str) -> bool:
        return msisdn in self.lines or msisdn in self.phones


STAFF_ROLES = ("agent", "supervisor", "admin")  # each may do what the ones before it may


@dataclass(frozen=True)
class StaffPrincipal:
    """A signed-in member of staff, as the console's session proves them."""

    staff_id: str
    name: str
    role: str
    session_id: str

    def at_least(self, role: str) -> bool:
        return STAFF_ROLES.index(self.role) >= STAFF_ROLES.index(role)
