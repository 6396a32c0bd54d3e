"""Staff accounts of the console on SQLite and PostgreSQL: both factors required, each
authenticator code used once, the lockout, idle and absolute session ends, disabling, the
customer search, and the access log (privacy) that keeps who looked and why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories.identity import context, customer
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from yagona.app.bootstrap import Container
from yagona.identity import service
from yagona.identity.errors import AttemptsExceededError, InvalidCredentialsError
from yagona.identity.service import staff
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import ConflictError, InvalidRequestError
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy
from yagona.privacy.errors import ReasonRequiredError


@pytest.fixture
def ctx(settings: Settings) -> service.IdentityContext:
    return context(settings)


def _sign_in(container: Container, ctx: service.IdentityContext, clock: SimulatedClock, **given: str) -> str:
    form = {"login": "test-agent", "password": STAFF_PASSWORD, "totp": totp_code(clock.now()), **given}
    with container.uow() as uow:
        signed = staff.staff_sign_in(uow, ctx=ctx, client_ip="10.0.0.1", **form)
        uow.commit()
    return signed.token


def test_a_new_member_gets_a_one_time_password_and_an_authenticator(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        created = staff.add_staff(uow, ctx=ctx, login="+998 90 555 00 11", name="Olim  Karimov", role="supervisor")
        uow.commit()
    assert created.staff.login == "998905550011" and created.staff.name == "Olim Karimov"
    assert len(created.password) >= 16 and created.totp_uri.startswith("otpauth://totp/")
    with container.uow() as uow, pytest.raises(ConflictError):
        staff.add_staff(uow, ctx=ctx, login="998905550011", name="Again", role="agent")
    with container.uow() as uow, pytest.raises(InvalidRequestError):
        staff.add_staff(uow, ctx=ctx, login="x", name="Bad login", role="agent")
    with container.uow() as uow, pytest.raises(InvalidRequestError):
        staff.add_staff(uow, ctx=ctx, login="boss", name="Bad role", role="owner")
    with container.uow() as uow:
        assert [(m.login, m.role) for m in staff.list_staff(uow)] == [("998905550011", "supervisor")]


def test_both_factors_are_required_and_a_code_is_used_once(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        member(uow, ctx, "agent")
        uow.commit()
    with pytest.raises(InvalidCredentialsError):
        _sign_in(container, ctx, clock, totp="")
    with pytest.raises(InvalidCredentialsError):
        _sign_in(container, ctx, clock, password="wrong-password")
    token = _sign_in(container, ctx, clock)
    with container.uow() as uow:
        found = staff.resolve_staff(uow, token=token)
    assert found is not None and found.role == "agent" and found.at_least("agent") and not found.at_least("supervisor")
    with pytest.raises(InvalidCredentialsError):  # the same code again: replayed
        _sign_in(container, ctx, clock)


def test_repeated_failures_lock_the_login_out_for_the_window(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        member(uow, ctx, "agent")
        uow.commit()
    for _ in range(ctx.settings.max_failed_attempts):
        with pytest.raises(InvalidCredentialsError):
            _sign_in(container, ctx, clock, password="wrong-password")
    with pytest.raises(AttemptsExceededError):
        _sign_in(container, ctx, clock)
    clock.advance_by(timedelta(seconds=ctx.settings.lockout_window_s))
    assert _sign_in(container, ctx, clock)


def test_a_session_ends_when_idle_at_its_end_on_sign_out_and_when_disabled(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        member(uow, ctx, "agent")
        uow.commit()

    def alive(token: str) -> bool:
        with container.uow() as uow:
            found = staff.resolve_staff(uow, token=token)
            uow.commit()
        return found is not None

    token = _sign_in(container, ctx, clock)
    for _ in range(24):  # used every 29 minutes: alive until the absolute end (12 h)
        clock.advance_by(timedelta(minutes=29))
        assert alive(token)
    clock.advance_by(timedelta(minutes=29))
    assert not alive(token)
    idle = _sign_in(container, ctx, clock)
    clock.advance_by(staff.STAFF_IDLE)
    assert not alive(idle)
    ended = _sign_in(container, ctx, clock)
    with container.uow() as uow:
        staff.staff_sign_out(uow, token=ended)
        uow.commit()
    assert not alive(ended)
    clock.advance_by(timedelta(seconds=30))
    kept = _sign_in(container, ctx, clock)
    with container.uow() as uow:
        assert staff.disable_staff(uow, login="test-agent").disabled
        uow.commit()
    assert not alive(kept)
    clock.advance_by(timedelta(seconds=30))
    with pytest.raises(InvalidCredentialsError):
        _sign_in(container, ctx, clock)


def test_the_console_search_finds_by_phone_name_and_id(container: Container, ctx: service.IdentityContext) -> None:
    with container.uow() as uow:
        found = customer(uow, ctx, "998901234567")
        service.link_service(uow, customer_id=found.id, kind="wallet", reference="998935550000")
        uow.commit()
    with container.uow() as uow:
        for query in ("+998 90 123 45 67", "998935550000", "alimova", found.id):
            assert staff.search_customers(uow, query=query) == [found.id], query
        assert staff.search_customers(uow, query="998909999999") == []
        assert staff.search_customers(uow, query="%") == []


def test_the_access_log_keeps_who_what_and_why(container: Container, ctx: service.IdentityContext) -> None:
    with container.uow() as uow:
        first = privacy.record_access(
            uow, staff_id="s1", customer_id="c1", action="view", reason="  Customer   called "
        )
        privacy.record_access(uow, staff_id="s2", customer_id="c1", action="line.block", subject="998901234567",
                              reason="Phone lost")  # fmt: skip
        privacy.record_access(uow, staff_id="s1", customer_id="c2", action="view", reason="Complaint 42")
        uow.commit()
    assert first.reason == "Customer called"
    with container.uow() as uow:
        assert [r.action for r in privacy.access_log(uow, customer_id="c1")] == ["line.block", "view"]
        assert [r.customer_id for r in privacy.staff_activity(uow, staff_id="s1")] == ["c2", "c1"]
        with pytest.raises(ReasonRequiredError):
            privacy.record_access(uow, staff_id="s1", customer_id="c1", action="view", reason="ok")


def test_many_right_sign_ins_from_one_office_address_lock_nobody_out(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        member(uow, ctx, "agent")
        uow.commit()
    for _ in range(ctx.settings.password_attempts_per_ip + 1):
        clock.advance_by(timedelta(seconds=30))
        assert _sign_in(container, ctx, clock)
