"""Privacy's use cases on SQLite and PostgreSQL: the purposes register, consents with their
history, versioned documents and their acceptances, staff access grants (asked, approved in
the portal or by SMS code, expiring, emergency), disclosures; refusals write nothing but the
attempt."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories.identity import context, customer
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.notify import service as notify
from yagona.privacy import service as privacy
from yagona.privacy.errors import (
    AccessNotGrantedError,
    DisclosureIncompleteError,
    DocumentVersionExistsError,
    GrantNotFoundError,
    GrantNotPendingError,
    ReasonRequiredError,
    UnknownPurposeError,
    UnknownScopeError,
    WrongAccessCodeError,
)

PHONE, OTHER = "998901000001", "998901000002"
STAFF = "0190aaaa-0000-7000-8000-000000000001"


def _customers(container: Container) -> tuple[str, str]:
    with container.uow() as uow:
        ctx = context(container.settings)
        ids = customer(uow, ctx, PHONE).id, customer(uow, ctx, OTHER).id
        uow.commit()
    return ids


def _sms(container: Container, phone: str) -> list[str]:
    sealer = notify.sealer_for(container.settings.secret_key.get_secret_value())
    with container.uow() as uow:
        found = notify.outbox(uow, recipient=phone, sealer=sealer, env="test", limit=20)
    return [m.body or "" for m in found if m.template == "notify.text"]


def test_the_register_lists_the_agreements_purposes_each_with_its_basis_and_retention() -> None:
    register = privacy.purposes()
    assert list(register) == [
        "identification", "service_delivery", "notifications", "requests", "data_verification",
        "account_creation", "marketing", "support", "product_improvement", "research",
    ]  # fmt: skip
    assert {p.basis for p in register.values()} == {"contract", "law", "consent", "legitimate_interest"}
    assert [p.id for p in register.values() if p.needs_consent] == ["marketing"]
    assert all(p.retention and set(p.name) == {"uz", "ru", "en"} for p in register.values())


def test_consent_given_and_withdrawn_keeps_its_history(container: Container, clock: SimulatedClock) -> None:
    customer_id, _ = _customers(container)
    with container.uow() as uow:
        assert not privacy.has_consent(uow, customer_id=customer_id, purpose="marketing")
        assert privacy.has_consent(uow, customer_id=customer_id, purpose="service_delivery")  # the contract
        privacy.give_consent(uow, customer_id=customer_id, purpose="marketing", channel="portal")
        uow.commit()
    clock.advance_by(timedelta(hours=1))
    with container.uow() as uow:
        assert privacy.has_consent(uow, customer_id=customer_id, purpose="marketing")
        privacy.withdraw_consent(uow, customer_id=customer_id, purpose="marketing", channel="bot")
        uow.commit()
    with container.uow() as uow:
        assert not privacy.has_consent(uow, customer_id=customer_id, purpose="marketing")
        history = privacy.consent_history(uow, customer_id=customer_id)
        states = privacy.consents_of(uow, customer_id=customer_id)
    assert [(h.given, h.channel) for h in history] == [(False, "bot"), (True, "portal")]
    assert history[0].recorded_at - history[1].recorded_at == timedelta(hours=1)
    assert [(s.purpose, s.given) for s in states] == [("marketing", False)]


def test_identitys_opt_in_is_the_same_consent(container: Container) -> None:
    customer_id, _ = _customers(container)
    from yagona.identity import service as identity

    with container.uow() as uow:
        identity.set_marketing_opt_in(uow, customer_id=customer_id, opt_in=True)
        uow.commit()
    with container.uow() as uow:
        assert privacy.has_consent(uow, customer_id=customer_id, purpose="marketing")


def test_a_consent_for_an_unknown_purpose_is_refused_writes_nothing_and_is_kept_as_an_attempt(
    container: Container,
) -> None:
    customer_id, _ = _customers(container)
    with pytest.raises(UnknownPurposeError) as refused, container.uow() as uow:
        privacy.give_consent(uow, customer_id=customer_id, purpose="selling-data", channel="portal")
    assert refused.value.code == "unknown_purpose"
    with container.uow() as uow:
        assert privacy.consent_history(uow, customer_id=customer_id) == []
        attempts = privacy.refused_attempts(uow, customer_id=customer_id)
        assert not privacy.has_consent(uow, customer_id=customer_id, purpose="selling-data")
    assert [(a.action, a.code) for a in attempts] == [("consent.give", "unknown_purpose")]


def test_a_published_version_is_told_by_sms_and_asked_for_until_accepted(
    container: Container, clock: SimulatedClock
) -> None:
    first, second = _customers(container)  # signed up before: nothing published yet, nothing accepted
    with container.uow() as uow:
        done = privacy.publish_document(
            uow,
            kind="privacy",
            version="2026-12",
            text="1. New text.\n\n2. More.",
            needs_acceptance=True,
            recipients=[
                privacy.Recipient(first, PHONE, "ru"),
                privacy.Recipient(second, OTHER, "uz"),
            ],
        )
        uow.commit()
    assert done.told == 2 and len(done.document.sha256) == 64
    assert _sms(container, PHONE) == [
        "Yagona: новая редакция: Политика конфиденциальности (2026-12). Прочитайте и примите её при следующем входе."
    ]
    assert "Maxfiylik kelishuvi" in _sms(container, OTHER)[0]
    with container.uow() as uow:
        assert [(d.kind, d.version) for d in privacy.documents_to_accept(uow, customer_id=first)] == [
            ("privacy", "2026-12")
        ]
        with pytest.raises(DocumentVersionExistsError):
            privacy.publish_document(
                uow, kind="privacy", version="2026-12", text="x", needs_acceptance=False, recipients=[]
            )
    clock.advance_by(timedelta(minutes=5))
    with container.uow() as uow:
        accepted = privacy.accept_documents(uow, customer_id=first, channel="portal")
        uow.commit()
    assert [(a.kind, a.version) for a in accepted] == [("privacy", "2026-12")]
    with container.uow() as uow:
        assert privacy.documents_to_accept(uow, customer_id=first) == []
        assert [(a.version, a.accepted_at) for a in privacy.acceptances_of(uow, customer_id=first)] == [
            ("2026-12", clock.now())
        ]
        assert len(privacy.documents_to_accept(uow, customer_id=second)) == 1
        newcomer = customer(uow, context(container.settings), "998901000003")  # signs up: accepts what is in force
        assert privacy.documents_to_accept(uow, customer_id=newcomer.id) == []
        # A version in force from publication that needs no acceptance asks nobody.
        privacy.publish_document(
            uow, kind="offer", version="2026-12", text="Offer", needs_acceptance=False, recipients=[]
        )
        assert [d.kind for d in privacy.documents_to_accept(uow, customer_id=first)] == []


def test_staff_access_needs_the_customers_approval_and_ends_when_its_time_is_up(
    container: Container, clock: SimulatedClock
) -> None:
    customer_id, other_id = _customers(container)
    with container.uow() as uow:
        with pytest.raises(AccessNotGrantedError):
            privacy.require_access(uow, staff_id=STAFF, customer_id=customer_id, section="profile")
        asked = privacy.request_access(
            uow, staff_id=STAFF, customer_id=customer_id, reason="Customer called about a bill",
            sections=["profile", "lines"], minutes=30,
        )  # fmt: skip
        uow.commit()
    assert asked.grant.status == "requested"
    with container.uow() as uow:  # still waiting: nothing opens
        assert privacy.active_grant(uow, staff_id=STAFF, customer_id=customer_id, section="profile") is None
        with pytest.raises(GrantNotFoundError):  # another customer cannot approve it
            privacy.approve(uow, customer_id=other_id, grant_id=asked.grant.id)
        approved = privacy.approve(uow, customer_id=customer_id, grant_id=asked.grant.id)
        uow.commit()
    assert approved.approved_via == "portal" and approved.expires_at == clock.now() + timedelta(minutes=30)
    with container.uow() as uow:
        assert privacy.require_access(uow, staff_id=STAFF, customer_id=customer_id, section="lines").id == approved.id
        with pytest.raises(AccessNotGrantedError):  # not granted: the wallets
            privacy.require_access(uow, staff_id=STAFF, customer_id=customer_id, section="wallets")
        with pytest.raises(AccessNotGrantedError):  # not this customer's
            privacy.require_access(uow, staff_id=STAFF, customer_id=other_id, section="profile")
        with pytest.raises(GrantNotPendingError):
            privacy.approve(uow, customer_id=customer_id, grant_id=asked.grant.id)
    clock.advance_by(timedelta(minutes=30))
    with container.uow() as uow:
        assert privacy.active_grant(uow, staff_id=STAFF, customer_id=customer_id, section="profile") is None
        assert [g.status for g in privacy.grants_of(uow, customer_id=customer_id)] == ["expired"]


def test_a_request_without_a_reason_or_for_no_section_is_refused_and_kept_as_an_attempt(container: Container) -> None:
    customer_id, _ = _customers(container)
    with pytest.raises(ReasonRequiredError) as no_reason, container.uow() as uow:
        privacy.request_access(uow, staff_id=STAFF, customer_id=customer_id, reason="  ", sections=["profile"])
    assert no_reason.value.code == "reason_required"
    with pytest.raises(UnknownScopeError), container.uow() as uow:
        privacy.request_access(uow, staff_id=STAFF, customer_id=customer_id, reason="A good reason", sections=["bank"])
    with container.uow() as uow:
        assert privacy.grants_of(uow, customer_id=customer_id) == []
        attempts = privacy.refused_attempts(uow, customer_id=customer_id)
    assert [(a.actor, a.action, a.code) for a in attempts] == [
        (f"staff:{STAFF}", "access.request", "unknown_scope"),
        (f"staff:{STAFF}", "access.request", "reason_required"),
    ]


def test_the_customer_approves_by_reading_the_sms_code_and_five_wrong_codes_end_the_request(
    container: Container,
) -> None:
    customer_id, _ = _customers(container)
    with container.uow() as uow:
        first = privacy.request_access(
            uow, staff_id=STAFF, customer_id=customer_id, reason="Customer on the phone", sections=["profile"],
            phone=PHONE, language="en",
        )  # fmt: skip
        uow.commit()
    sms = _sms(container, PHONE)[0]
    assert sms.startswith("Yagona: a member of staff asks to see your cabinet (profile, 60 min).")
    code = re.findall(r"\d{6}", sms)[0]
    with pytest.raises(GrantNotFoundError), container.uow() as uow:  # another member cannot use it
        privacy.confirm_code(uow, staff_id="someone-else", grant_id=first.grant.id, code=code)
    with container.uow() as uow:
        grant = privacy.confirm_code(uow, staff_id=STAFF, grant_id=first.grant.id, code=code)
        uow.commit()
    assert grant.status == "approved" and grant.approved_via == "sms"
    with container.uow() as uow:
        second = privacy.request_access(
            uow,
            staff_id=STAFF,
            customer_id=customer_id,
            reason="Customer on the phone",
            sections=["lines"],
            phone=PHONE,
        )
        uow.commit()
    for _ in range(5):
        with pytest.raises(WrongAccessCodeError), container.uow() as uow:
            privacy.confirm_code(uow, staff_id=STAFF, grant_id=second.grant.id, code="000000x")
    with container.uow() as uow:
        assert privacy.grants_of(uow, customer_id=customer_id)[0].status == "denied"


def test_emergency_access_is_opened_by_a_supervisor_with_a_reason_and_shown_to_the_customer(
    container: Container,
) -> None:
    customer_id, _ = _customers(container)
    with pytest.raises(ReasonRequiredError), container.uow() as uow:
        privacy.emergency_access(uow, supervisor_id=STAFF, customer_id=customer_id, basis="fraud", reason="")
    with container.uow() as uow:
        grant = privacy.emergency_access(
            uow, supervisor_id=STAFF, customer_id=customer_id, basis="legal_order", reason="Court order 12/345"
        )
        uow.commit()
    with container.uow() as uow:
        assert privacy.require_access(uow, staff_id=STAFF, customer_id=customer_id, section="wallets").id == grant.id
        shown = privacy.grants_of(uow, customer_id=customer_id)
    assert [(g.emergency, g.approved_via, g.reason) for g in shown] == [
        ("legal_order", "emergency", "Court order 12/345")
    ]


def test_disclosures_are_recorded_whole_and_a_secret_one_is_not_shown_to_the_customer(container: Container) -> None:
    customer_id, _ = _customers(container)
    with container.uow() as uow:
        with pytest.raises(DisclosureIncompleteError):
            privacy.record_disclosure(
                uow, customer_id=customer_id, body="Tax committee", legal_basis="", reference="No 1", given="x",
                staff_id=STAFF,
            )  # fmt: skip
        privacy.record_disclosure(
            uow, customer_id=customer_id, body="Tax committee", legal_basis="Tax Code, art. 12",
            reference="No 17-05 of 2026-11-20", given="Wallet receipts of October", staff_id=STAFF,
        )  # fmt: skip
        privacy.record_disclosure(
            uow, customer_id=customer_id, body="Investigator", legal_basis="Criminal Procedure Code, art. 5",
            reference="No 9", given="Line usage", staff_id=STAFF, secret=True,
        )  # fmt: skip
        uow.commit()
    with container.uow() as uow:
        seen = privacy.disclosures_of(uow, customer_id=customer_id, for_customer=True)
        audited = privacy.all_disclosures(uow)
    assert [d.body for d in seen] == ["Tax committee"]
    assert sorted(d.body for d in audited) == ["Investigator", "Tax committee"]
