"""One ID on real SQLite and PostgreSQL: sign-up, OTP and password sign-in, sessions,
devices, TOTP, linked services, consents, audit — and every abuse case refused."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from tests.factories.identity import PASSWORD, context, customer, send_code, signed_in
from yagona.app.bootstrap import Container
from yagona.identity import service
from yagona.identity.errors import (
    AttemptsExceededError,
    DocumentsNotAcceptedError,
    InvalidCredentialsError,
    InvalidPhoneError,
    OneIdStateError,
    PhoneTakenError,
    ReauthenticationRequiredError,
    RecordedRefusalError,
    RegistrationRequiredError,
    SendLimitError,
    TotpRequiredError,
    UnauthenticatedError,
    WeakPasswordError,
)
from yagona.identity.models import AttemptCounter, AuditEvent, Otp
from yagona.identity.schemas import CustomerCreate, DeviceInfo, OneIdProfile, OtpPurpose, ServiceKind, VerificationLevel
from yagona.kernel.clock import SimulatedClock
from yagona.notify import service as notify
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork

PHONE = "998901234567"


@pytest.fixture
def ctx(settings: Settings) -> service.IdentityContext:
    return context(settings)


def _kinds(uow: UnitOfWork) -> list[str]:
    return [row.kind for row in uow.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def _attempt(container: Container, fn: object) -> BaseException | None:
    """Run one attempt in its own unit of work, as a channel does: commit, or commit the
    security records of a recorded refusal, or roll back."""
    with container.uow() as uow:
        try:
            fn(uow)  # type: ignore[operator]
        except RecordedRefusalError as error:
            uow.commit()
            return error
        except Exception as error:
            return error
        uow.commit()
    return None


# --- sign-up and documents ---------------------------------------------------------------


def test_sign_up_records_the_documents_and_the_separate_marketing_opt_in(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        created = customer(uow, ctx)
        uow.commit()
    assert created.phones == [PHONE] and created.verification_level == VerificationLevel.BASIC
    assert {(c.document, c.version) for c in created.consents} == {("offer", "2026-01"), ("privacy", "2026-01")}
    assert created.marketing_opt_in is False
    with container.uow() as uow:
        changed = service.set_marketing_opt_in(uow, customer_id=created.id, opt_in=True)
        uow.commit()
    assert changed.marketing_opt_in and ("marketing", "opt-in") in {(c.document, c.version) for c in changed.consents}
    with container.uow() as uow:
        assert _kinds(uow) == ["customer_registered", "marketing_opt_in_changed"]


def test_sign_up_refuses_without_documents_weak_passwords_bad_phones_and_taken_phones(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        with pytest.raises(DocumentsNotAcceptedError):
            service.register_customer(uow, ctx=ctx, customer=CustomerCreate(phone=PHONE, name="A"))
        with pytest.raises(WeakPasswordError):
            service.register_customer(
                uow,
                ctx=ctx,
                customer=CustomerCreate(phone=PHONE, name="A", password=SecretStr("short"), accept_documents=True),
            )
        with pytest.raises(InvalidPhoneError):
            customer(uow, ctx, "99890123")
        customer(uow, ctx)
        with pytest.raises(PhoneTakenError):
            customer(uow, ctx)


# --- OTP ----------------------------------------------------------------------------------


def test_otp_sign_in_and_sign_up(container: Container, ctx: service.IdentityContext) -> None:
    with container.uow() as uow:
        request_id, code = send_code(uow, ctx, PHONE)
        uow.commit()
    assert len(code) == 6
    with container.uow() as uow, pytest.raises(RegistrationRequiredError):
        service.verify_otp(uow, ctx=ctx, phone=PHONE, code=code, request_id=request_id)
    with container.uow() as uow:
        signed = service.verify_otp(
            uow,
            ctx=ctx,
            phone=PHONE,
            code=code,
            request_id=request_id,
            signup=CustomerCreate(phone=PHONE, name="Bobur", accept_documents=True),
        )
        uow.commit()
    assert signed.session.methods == ["otp"]
    with container.uow() as uow, pytest.raises(InvalidCredentialsError):  # single use
        service.verify_otp(uow, ctx=ctx, phone=PHONE, code=code)


def test_an_otp_is_hashed_bound_to_its_request_and_purpose_and_expires(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        _request_id, code = send_code(uow, ctx, PHONE)
        uow.commit()
    with container.uow() as uow:
        stored = uow.session.scalars(select(Otp)).one()
        assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert isinstance(
        _attempt(container, lambda u: service.verify_otp(u, ctx=ctx, phone=PHONE, code=code, request_id="x")),
        InvalidCredentialsError,
    )
    # a sign-in code does not link a line (bound to its purpose)
    with container.uow() as uow:
        customer_id = service.find_customer_by_phone(uow, phone=PHONE)
    assert customer_id is not None
    assert isinstance(
        _attempt(
            container, lambda u: service.link_line(u, ctx=ctx, customer_id=customer_id.id, phone=PHONE, code=code)
        ),
        InvalidCredentialsError,
    )
    clock.advance_by(timedelta(seconds=301))
    assert isinstance(
        _attempt(container, lambda u: service.verify_otp(u, ctx=ctx, phone=PHONE, code=code)), InvalidCredentialsError
    )


def test_a_new_code_replaces_the_previous_one(container: Container, ctx: service.IdentityContext) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        _, first = send_code(uow, ctx, PHONE)
        _, second = send_code(uow, ctx, PHONE)
        uow.commit()
    if first != second:
        assert isinstance(
            _attempt(container, lambda u: service.verify_otp(u, ctx=ctx, phone=PHONE, code=first)),
            InvalidCredentialsError,
        )
    assert _attempt(container, lambda u: service.verify_otp(u, ctx=ctx, phone=PHONE, code=second)) is None


def test_sending_codes_is_capped_per_phone_and_per_client_address(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    def send(phone: str, ip: str) -> BaseException | None:
        return _attempt(container, lambda u: service.request_otp(u, ctx=ctx, phone=phone, client_ip=ip))

    assert all(send(PHONE, f"10.0.0.{i}") is None for i in range(5))
    assert isinstance(send(PHONE, "10.0.0.99"), SendLimitError)
    # SMS pumping: one address, many numbers
    results = [send(f"99890{i:07d}", "10.9.9.9") for i in range(31)]
    assert results[:30] == [None] * 30 and isinstance(results[30], SendLimitError)
    clock.advance_by(timedelta(hours=1))
    assert send(PHONE, "10.0.0.1") is None
    with container.uow() as uow:
        assert "otp_send_refused" in _kinds(uow)


def test_unknown_and_known_phones_get_the_same_answers(container: Container, ctx: service.IdentityContext) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        uow.commit()
    with container.uow() as uow:
        known = service.request_otp(uow, ctx=ctx, phone=PHONE, client_ip="10.0.0.1")
        unknown = service.request_otp(uow, ctx=ctx, phone="998907654321", client_ip="10.0.0.1")
    assert (known.expires_in, known.digits) == (unknown.expires_in, unknown.digits)
    errors = [
        _attempt(container, lambda u, p=p: service.login_with_password(u, ctx=ctx, phone=p, password="Wrong-pass-1"))
        for p in (PHONE, "998907654321")
    ]
    assert [(type(e), str(e)) for e in errors] == [
        (InvalidCredentialsError, "the phone number or the password is wrong")
    ] * 2


# --- brute force ---------------------------------------------------------------------------


def test_password_failures_lock_the_account_and_the_phone(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        uow.commit()

    def wrong() -> BaseException | None:
        return _attempt(
            container, lambda u: service.login_with_password(u, ctx=ctx, phone=PHONE, password="Wrong-pass-1")
        )

    assert all(isinstance(wrong(), InvalidCredentialsError) for _ in range(5))
    assert isinstance(wrong(), AttemptsExceededError)
    # the right password does not help while locked
    assert isinstance(_attempt(container, lambda u: signed_in(u, ctx)), AttemptsExceededError)
    # the OTP counter is separate: a code still works
    with container.uow() as uow:
        _, code = send_code(uow, ctx, PHONE)
        uow.commit()
    assert _attempt(container, lambda u: service.verify_otp(u, ctx=ctx, phone=PHONE, code=code)) is None
    clock.advance_by(timedelta(minutes=15))
    assert _attempt(container, lambda u: signed_in(u, ctx)) is None
    with container.uow() as uow:
        kinds = _kinds(uow)
    assert kinds.count("password_failed") == 5 and "password_locked" in kinds


def test_fifty_parallel_wrong_codes_cannot_pass_the_limit(container: Container, ctx: service.IdentityContext) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        _request_id, code = send_code(uow, ctx, PHONE)
        uow.commit()
    wrong = "000000" if code != "000000" else "111111"
    results: list[BaseException | None] = []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def attempt() -> None:
        barrier.wait()
        outcome = _attempt(container, lambda u: service.verify_otp(u, ctx=ctx, phone=PHONE, code=wrong))
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = [r for r in results if isinstance(r, InvalidCredentialsError)]
    refused = [r for r in results if isinstance(r, AttemptsExceededError)]
    assert len(checked) == 5 and len(refused) == 45, [type(r) for r in results]
    # and the right code is now refused too, until the window passes
    assert isinstance(
        _attempt(container, lambda u: service.verify_otp(u, ctx=ctx, phone=PHONE, code=code)), AttemptsExceededError
    )
    with container.uow() as uow:
        counters = {(c.kind, c.subject): c.count for c in uow.session.scalars(select(AttemptCounter))}
    assert counters[("otp", f"phone:{PHONE}")] == 51


def test_fifty_parallel_wrong_passwords_cannot_pass_the_limit(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        uow.commit()
    results: list[BaseException | None] = []
    barrier = threading.Barrier(50)

    def attempt() -> None:
        barrier.wait()
        results.append(
            _attempt(container, lambda u: service.login_with_password(u, ctx=ctx, phone=PHONE, password="Wrong-pass-1"))
        )

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, InvalidCredentialsError) for r in results) == 5
    assert sum(isinstance(r, AttemptsExceededError) for r in results) == 45


# --- TOTP ---------------------------------------------------------------------------------


def test_totp_second_factor_is_required_and_each_code_is_accepted_once(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    import pyotp

    with container.uow() as uow:
        customer(uow, ctx)
        session = signed_in(uow, ctx).session
        setup = service.begin_totp(uow, ctx=ctx, session=session)
        uow.commit()
    authenticator = pyotp.TOTP(setup.secret.get_secret_value())
    code = authenticator.at(clock.now())
    token = setup.setup_token.get_secret_value()
    assert (
        _attempt(container, lambda u: service.confirm_totp(u, ctx=ctx, session=session, code=code, setup_token=token))
        is None
    )
    with container.uow() as uow, pytest.raises(TotpRequiredError):
        signed_in(uow, ctx)
    # the code that confirmed the setup is spent
    assert isinstance(
        _attempt(
            container, lambda u: service.login_with_password(u, ctx=ctx, phone=PHONE, password=PASSWORD, totp=code)
        ),
        InvalidCredentialsError,
    )
    clock.advance_by(timedelta(seconds=30))
    fresh = authenticator.at(clock.now())
    assert (
        _attempt(
            container, lambda u: service.login_with_password(u, ctx=ctx, phone=PHONE, password=PASSWORD, totp=fresh)
        )
        is None
    )
    assert isinstance(
        _attempt(
            container, lambda u: service.login_with_password(u, ctx=ctx, phone=PHONE, password=PASSWORD, totp=fresh)
        ),
        InvalidCredentialsError,
    )
    for _ in range(4):
        _attempt(
            container, lambda u: service.login_with_password(u, ctx=ctx, phone=PHONE, password=PASSWORD, totp="000000")
        )
    assert isinstance(
        _attempt(
            container, lambda u: service.login_with_password(u, ctx=ctx, phone=PHONE, password=PASSWORD, totp="000000")
        ),
        AttemptsExceededError,
    )


# --- sessions, devices, reports ----------------------------------------------------------


def test_sessions_are_listed_and_revoked_and_a_new_device_is_notified(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        created = customer(uow, ctx)
        first = signed_in(uow, ctx, device="phone-1")
        second = signed_in(uow, ctx, device="laptop-2")
        again = signed_in(uow, ctx, device="phone-1")
        uow.commit()
    assert first.new_device and second.new_device and not again.new_device
    with container.uow() as uow:
        messages = notify.outbox(uow, recipient=PHONE, sealer=ctx.messages, env="test")
        assert [m.template for m in messages] == ["identity.new_device"]  # not for the very first device
        sessions = service.list_sessions(uow, customer_id=created.id, current_session_id=first.session.id)
        assert len(sessions) == 3 and sum(s.current for s in sessions) == 1
        service.revoke_session(uow, customer_id=created.id, session_id=second.session.id)
        uow.commit()
    with container.uow() as uow:
        with pytest.raises(UnauthenticatedError):
            service.authenticate(uow, token=second.token.get_secret_value())
        assert service.authenticate(uow, token=first.token.get_secret_value()).id == first.session.id


def test_reporting_unauthorised_access_revokes_every_session_at_once(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        created = customer(uow, ctx)
        tokens = [signed_in(uow, ctx, device=f"d{i}").token.get_secret_value() for i in range(3)]
        result = service.report_unauthorised_access(uow, ctx=ctx, customer_id=created.id)
        uow.commit()
    assert result["sessions_revoked"] == 3
    with container.uow() as uow:
        for token in tokens:
            with pytest.raises(UnauthenticatedError):
                service.authenticate(uow, token=token)
        assert "unauthorised_access_reported" in _kinds(uow)


def test_changing_the_phone_needs_a_recent_sign_in_and_the_new_numbers_code(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    new_phone = "998937654321"
    with container.uow() as uow:
        customer(uow, ctx)
        session = signed_in(uow, ctx).session
        request_id, code = send_code(uow, ctx, new_phone, OtpPurpose.CHANGE_PHONE)
        uow.commit()
    clock.advance_by(timedelta(minutes=6))
    with container.uow() as uow, pytest.raises(ReauthenticationRequiredError):
        service.change_phone(uow, ctx=ctx, session=session, new_phone=new_phone, code=code)
    with container.uow() as uow:
        session = signed_in(uow, ctx).session
        request_id, code = send_code(uow, ctx, new_phone, OtpPurpose.CHANGE_PHONE)
        changed = service.change_phone(
            uow, ctx=ctx, session=session, new_phone=new_phone, code=code, request_id=request_id
        )
        uow.commit()
    assert changed.phones == [new_phone]


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        mine = signed_in(uow, ctx, device="a")
        other = signed_in(uow, ctx, device="b")
        uow.commit()
    assert isinstance(
        _attempt(
            container,
            lambda u: service.change_password(
                u, ctx=ctx, session=mine.session, current_password="nope", new_password="Yangi-Parol-77"
            ),
        ),
        InvalidCredentialsError,
    )
    assert (
        _attempt(
            container,
            lambda u: service.change_password(
                u, ctx=ctx, session=mine.session, current_password=PASSWORD, new_password="Yangi-Parol-77"
            ),
        )
        is None
    )
    with container.uow() as uow:
        with pytest.raises(UnauthenticatedError):
            service.authenticate(uow, token=other.token.get_secret_value())
        assert service.login_with_password(uow, ctx=ctx, phone=PHONE, password="Yangi-Parol-77")


# --- linked services and OneID -------------------------------------------------------------


def test_a_line_is_linked_after_the_code_sent_to_it(container: Container, ctx: service.IdentityContext) -> None:
    line = "998991112233"
    with container.uow() as uow:
        created = customer(uow, ctx)
        request_id, code = send_code(uow, ctx, line, OtpPurpose.LINK_LINE)
        uow.commit()
    assert isinstance(
        _attempt(
            container,
            lambda u: service.link_line(
                u, ctx=ctx, customer_id=created.id, phone=line, code="999999" if code != "999999" else "888888"
            ),
        ),
        InvalidCredentialsError,
    )
    with container.uow() as uow:
        service.link_line(uow, ctx=ctx, customer_id=created.id, phone=line, code=code, request_id=request_id)
        service.link_service(uow, customer_id=created.id, kind=ServiceKind.WALLET, reference="wallet-77")
        uow.commit()
    with container.uow() as uow:
        profile = service.get_customer(uow, customer_id=created.id)
    assert [(s.kind, s.reference) for s in profile.services] == [
        (ServiceKind.MOBILE, line),
        (ServiceKind.WALLET, "wallet-77"),
    ]


def test_oneid_verification_links_the_pinfl_and_raises_the_level(
    container: Container, ctx: service.IdentityContext
) -> None:
    profile = OneIdProfile(pin="31203901230012", full_name="ALIMOVA DILNOZA", valid=True)
    with container.uow() as uow:
        created = customer(uow, ctx)
        other = customer(uow, ctx, "998935550000")
        started = service.begin_oneid(uow, ctx=ctx, customer_id=created.id)
        uow.commit()
    with container.uow() as uow:
        taken = service.take_oneid_state(
            uow, state=started.state, browser_key=started.browser_key, signed_in_customer=created.id
        )
        assert taken == created.id
        verified, signed = service.apply_oneid_profile(
            uow, ctx=ctx, customer_id=created.id, profile=profile, device=None
        )
        uow.commit()
    assert verified.verification_level == VerificationLevel.VERIFIED and signed is None
    with container.uow() as uow:
        with pytest.raises(OneIdStateError):
            service.take_oneid_state(
                uow, state=started.state, browser_key=started.browser_key, signed_in_customer=created.id
            )  # once
        with pytest.raises(PhoneTakenError):
            service.apply_oneid_profile(uow, ctx=ctx, customer_id=other.id, profile=profile, device=None)
        _, signed = service.apply_oneid_profile(
            uow, ctx=ctx, customer_id=None, profile=profile, device=DeviceInfo(device_id="x")
        )
        assert signed is not None and signed.session.customer_id == created.id
