"""Identity's `PersonalDataProvider` (privacy.service.personal_data): the profile, phones,
devices, sessions, security events, linked services, consents and one-time codes of a
customer. Erasure pseudonymises the name and phones, clears e-mail, birth date, PINFL and
every credential (the customer can no longer sign in), revokes the sessions and deletes what
only served signing in (codes, attempt counters, devices' fingerprints, OneID states).
Staff members' own data are not a customer's (the audit's allow-list says so)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, select

from yagona.identity.models import (
    AttemptCounter,
    AuditEvent,
    Consent,
    Customer,
    Device,
    LinkedService,
    OAuthConsent,
    OneIdState,
    Otp,
    Phone,
    SignInSession,
)
from yagona.platform.personal_data import Mask, Part, TableProvider, blank, mentions, pseudonymise, remove
from yagona.platform.uow import UnitOfWork


def _t(model: type) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


CUSTOMER, PHONE, OTP, COUNTER = _t(Customer), _t(Phone), _t(Otp), _t(AttemptCounter)
DEVICE, SESSION, AUDIT, LINKED = _t(Device), _t(SignInSession), _t(AuditEvent), _t(LinkedService)
CONSENT, OAUTH_CONSENT, ONEID = _t(Consent), _t(OAuthConsent), _t(OneIdState)
SECRETS = ("password_hash", "pin_hash", "totp_secret_sealed", "totp_last_step", "pinfl_lookup")


class IdentityPersonalData(TableProvider):
    domain = "identity"
    parts = (
        Part(
            "profile",
            CUSTOMER,
            lambda cid, _: CUSTOMER.c.id == cid,
            ("name", "birth_date", "email", "pinfl", "pinfl_lookup"),
            SECRETS,
        ),
        Part("phones", PHONE, lambda cid, _: PHONE.c.customer_id == cid, ("phone",), order_by=("added_at",)),
        Part("devices", DEVICE, lambda cid, _: DEVICE.c.customer_id == cid, ("fingerprint", "label")),
        Part(
            "sessions",
            SESSION,
            lambda cid, _: SESSION.c.customer_id == cid,
            ("signed_in_phone",),
            ("token_hash",),
            order_by=("created_at",),
        ),
        Part(
            "security_events",
            AUDIT,
            lambda cid, _: AUDIT.c.customer_id == cid,
            ("subject", "details"),
            order_by=("seq",),
        ),
        Part("linked_services", LINKED, lambda cid, _: LINKED.c.customer_id == cid, ("reference",)),
        Part("consents", CONSENT, lambda cid, _: CONSENT.c.customer_id == cid, (), order_by=("seq",)),
        Part("app_consents", OAUTH_CONSENT, lambda cid, _: OAUTH_CONSENT.c.customer_id == cid, ()),
        Part("codes_sent", OTP, lambda _, phones: OTP.c.phone.in_(phones), ("phone",), ("code_hash",)),
        Part("attempts", COUNTER, mentions(COUNTER, ("subject",)), ("subject",)),
    )

    def phones(self, uow: UnitOfWork, *, customer_id: str) -> set[str]:
        own = set(uow.session.scalars(select(Phone.phone).where(Phone.customer_id == customer_id)))
        linked = select(LinkedService.reference).where(
            LinkedService.customer_id == customer_id, LinkedService.kind.in_(("mobile", "wallet"))
        )
        return own | set(uow.session.scalars(linked))

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        now = uow.clock.now()
        touched = pseudonymise(uow, CUSTOMER, CUSTOMER.c.id == customer_id, kinds={"name": "name"}, mask=mask)
        blank(
            uow,
            CUSTOMER,
            CUSTOMER.c.id == customer_id,
            email=None,
            birth_date=None,
            pinfl=None,
            pinfl_lookup=None,
            password_hash=None,
            pin_hash=None,
            totp_secret_sealed=None,
            totp_enabled=False,
            marketing_opt_in=False,
        )
        touched += pseudonymise(uow, PHONE, PHONE.c.customer_id == customer_id, kinds={"phone": "phone"}, mask=mask)
        touched += remove(uow, OTP, OTP.c.phone.in_(phones))
        touched += remove(uow, COUNTER, mentions(COUNTER, ("subject",))(customer_id, phones))
        touched += blank(
            uow, SESSION, (SESSION.c.customer_id == customer_id) & SESSION.c.revoked_at.is_(None), revoked_at=now
        )
        touched += blank(uow, SESSION, SESSION.c.customer_id == customer_id, device_id=None)
        touched += pseudonymise(
            uow, SESSION, SESSION.c.customer_id == customer_id, kinds={"signed_in_phone": "phone"}, mask=mask
        )
        touched += remove(uow, DEVICE, DEVICE.c.customer_id == customer_id)
        touched += pseudonymise(uow, AUDIT, AUDIT.c.customer_id == customer_id, kinds={"subject": "subject"}, mask=mask)
        touched += blank(uow, AUDIT, AUDIT.c.customer_id == customer_id, details={})
        touched += pseudonymise(uow, LINKED, LINKED.c.customer_id == customer_id, kinds={"reference": "ref"}, mask=mask)
        touched += remove(uow, OAUTH_CONSENT, OAUTH_CONSENT.c.customer_id == customer_id)
        touched += remove(uow, ONEID, ONEID.c.customer_id == customer_id)
        return touched

    def purge(self, uow: UnitOfWork, *, purpose: str, before: datetime) -> int:
        """Identification: spent codes and counters, and sessions ended long ago."""
        if purpose != "identification":
            return 0
        gone = remove(uow, OTP, OTP.c.expires_at < before)
        gone += remove(uow, COUNTER, COUNTER.c.window_started_at < before)
        return gone + remove(uow, SESSION, (SESSION.c.expires_at < before) | (SESSION.c.revoked_at < before))
