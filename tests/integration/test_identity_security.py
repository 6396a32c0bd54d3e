"""One ID's answers to the attacks of issue 8, on SQLite and PostgreSQL, through the use
cases (the HTTP side is in tests/e2e/test_identity_attacks.py): the second factor cannot be
swapped or dropped without its code, password spraying from one address does not lock the
owners out, the principal a credential proves dies with the credential, its customer or its
client, and the OneID state is bound to the browser that started it."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import delete

from tests.factories.identity import PASSWORD, context, customer, signed_in
from yagona.app.bootstrap import Container
from yagona.identity import oidc, service
from yagona.identity.errors import (
    AttemptsExceededError,
    InvalidCredentialsError,
    OneIdStateError,
    RecordedRefusalError,
    TotpNotEnabledError,
    TotpRequiredError,
    TotpSetupError,
)
from yagona.identity.models import Consent, Customer, LinkedService, Phone
from yagona.identity.schemas import ClientCreate, DeviceInfo, SessionRead, TotpSetup
from yagona.kernel.clock import SimulatedClock
from yagona.platform.settings import Settings

PHONE = "998901234567"
OTHER = "998935550000"


@pytest.fixture
def ctx(settings: Settings) -> service.IdentityContext:
    return context(settings, password_attempts_per_ip=3)


def _attempt(container: Container, fn: object) -> BaseException | None:
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


def _enrol(container: Container, ctx: service.IdentityContext, clock: SimulatedClock) -> tuple[SessionRead, str]:
    """A customer with an authenticator in force; (their session, the authenticator's secret)."""
    with container.uow() as uow:
        customer(uow, ctx)
        session = signed_in(uow, ctx).session
        setup = service.begin_totp(uow, ctx=ctx, session=session)
        uow.commit()
    code = pyotp.TOTP(setup.secret.get_secret_value()).at(clock.now())
    with container.uow() as uow:
        service.confirm_totp(uow, ctx=ctx, session=session, code=code, setup_token=setup.setup_token.get_secret_value())
        uow.commit()
    clock.advance_by(timedelta(seconds=30))
    return session, setup.secret.get_secret_value()


def _login(container: Container, ctx: service.IdentityContext, totp: str | None) -> BaseException | None:
    return _attempt(
        container,
        lambda u: service.login_with_password(
            u, ctx=ctx, phone=PHONE, password=PASSWORD, totp=totp, device=DeviceInfo(device_id="d", ip="10.9.9.9")
        ),
    )


# --- the second factor --------------------------------------------------------------------


def test_a_new_totp_setup_needs_the_current_code_and_never_disables_the_enrolled_factor(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    session, secret = _enrol(container, ctx, clock)
    enrolled = pyotp.TOTP(secret)
    # a stolen session without the authenticator: no new setup, the factor stays
    refused = _attempt(container, lambda u: service.begin_totp(u, ctx=ctx, session=session))
    assert isinstance(refused, TotpRequiredError)
    wrong = _attempt(container, lambda u: service.begin_totp(u, ctx=ctx, session=session, current_code="000000"))
    assert isinstance(wrong, InvalidCredentialsError)
    assert isinstance(_login(container, ctx, None), TotpRequiredError)
    # with the current code: a pending setup; the enrolled factor is still the one asked for
    with container.uow() as uow:
        setup: TotpSetup = service.begin_totp(uow, ctx=ctx, session=session, current_code=enrolled.at(clock.now()))
        uow.commit()
        assert service.get_customer(uow, customer_id=session.customer_id).totp_enabled
    clock.advance_by(timedelta(seconds=30))
    assert isinstance(_login(container, ctx, None), TotpRequiredError)
    assert _login(container, ctx, enrolled.at(clock.now())) is None  # the old authenticator still signs in
    clock.advance_by(timedelta(seconds=30))
    new = pyotp.TOTP(setup.secret.get_secret_value())
    token = setup.setup_token.get_secret_value()
    # a setup confirmed by another session, or with a forged token, is refused
    with container.uow() as uow:
        other = service.login_with_password(
            uow,
            ctx=ctx,
            phone=PHONE,
            password=PASSWORD,
            totp=enrolled.at(clock.now()),
            device=DeviceInfo(device_id="o"),
        ).session
        uow.commit()
    clock.advance_by(timedelta(seconds=30))
    for who, forged in ((other, token), (session, token[:-4] + "AAAA")):
        assert isinstance(
            _attempt(
                container,
                lambda u, who=who, forged=forged: service.confirm_totp(
                    u, ctx=ctx, session=who, code=new.at(clock.now()), setup_token=forged
                ),
            ),
            TotpSetupError,
        )
    confirm = _attempt(
        container,
        lambda u: service.confirm_totp(u, ctx=ctx, session=session, code=new.at(clock.now()), setup_token=token),
    )
    assert confirm is None
    clock.advance_by(timedelta(seconds=30))
    assert isinstance(_login(container, ctx, enrolled.at(clock.now())), InvalidCredentialsError)
    assert _login(container, ctx, new.at(clock.now())) is None
    # the setup token is spent with the factor it replaced
    again = _attempt(
        container,
        lambda u: service.confirm_totp(u, ctx=ctx, session=session, code=new.at(clock.now()), setup_token=token),
    )
    assert isinstance(again, TotpSetupError)


def test_removing_totp_needs_a_current_code(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    session, secret = _enrol(container, ctx, clock)
    assert isinstance(
        _attempt(container, lambda u: service.remove_totp(u, ctx=ctx, session=session, code="123456")),
        InvalidCredentialsError,
    )
    assert isinstance(_login(container, ctx, None), TotpRequiredError)
    code = pyotp.TOTP(secret).at(clock.now())
    assert _attempt(container, lambda u: service.remove_totp(u, ctx=ctx, session=session, code=code)) is None
    assert _login(container, ctx, None) is None
    assert isinstance(
        _attempt(container, lambda u: service.remove_totp(u, ctx=ctx, session=session, code=code)),
        TotpNotEnabledError,
    )


# --- password spraying --------------------------------------------------------------------


def test_password_spraying_from_one_address_is_stopped_before_owners_are_locked_out(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        customer(uow, ctx, OTHER)
        uow.commit()
    sprayer = DeviceInfo(device_id="x", ip="203.0.113.7")

    def guess(phone: str, secret: str = "Guess-1234") -> BaseException | None:  # noqa: S107 - a wrong guess
        return _attempt(
            container,
            lambda u: service.login_with_password(u, ctx=ctx, phone=phone, password=secret, device=sprayer),
        )

    assert [type(guess(p)) for p in (PHONE, OTHER, "998977777777")] == [InvalidCredentialsError] * 3
    # the limit of the address (3) is reached: refused before any phone is even counted
    assert isinstance(guess(PHONE), AttemptsExceededError)
    assert isinstance(guess(OTHER, PASSWORD), AttemptsExceededError)
    # the owners, from their own addresses, are not locked out
    for phone, ip in ((PHONE, "10.0.0.1"), (OTHER, "10.0.0.2")):
        owner = DeviceInfo(device_id="own", ip=ip)
        assert (
            _attempt(
                container,
                lambda u, phone=phone, owner=owner: service.login_with_password(
                    u, ctx=ctx, phone=phone, password=PASSWORD, device=owner
                ),
            )
            is None
        )


def test_a_right_password_does_not_count_against_the_address(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        customer(uow, ctx)
        uow.commit()
    office = DeviceInfo(device_id="o", ip="198.51.100.1")
    for _ in range(6):  # more than the address's limit of 3, all right
        assert (
            _attempt(
                container,
                lambda u: service.login_with_password(u, ctx=ctx, phone=PHONE, password=PASSWORD, device=office),
            )
            is None
        )


# --- the principal -------------------------------------------------------------------------


def _token(container: Container, ctx: service.IdentityContext, session: SessionRead, scope: str) -> str:
    """An access token issued under `session` with `scope`, as the token endpoint writes it."""
    with container.uow() as uow:
        created = oidc.add_client(
            uow,
            client=ClientCreate(
                name="App", redirect_uris=["https://app.example/cb"], scopes=scope.split(), first_party=True
            ),
        )
        provider = oidc.Provider(uow, ctx)
        client = provider.query_client(created.client.client_id)
        assert client is not None
        user = oidc.EndUser(session.customer_id, session.id, session.authenticated_at, session.methods)
        token = provider._generate_token(grant_type="authorization_code", client=client, user=user, scope=scope)
        request = oidc._Request(oidc.RawRequest("POST", "https://op.example/oauth/token", {}, [], []))
        request.user = user
        request.client = client
        provider.session_id = session.id  # as the code grant sets it from the code's session
        provider.save_token(token, request)
        uow.commit()
    access: str = token["access_token"]
    return access


def test_resolve_principal_follows_the_credential_its_customer_and_its_scopes(
    container: Container, ctx: service.IdentityContext, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        mine = customer(uow, ctx)
        theirs = customer(uow, ctx, OTHER)
        signed = signed_in(uow, ctx)
        other_signed = signed_in(uow, ctx, OTHER)
        uow.commit()
    cookie = signed.token.get_secret_value()
    token = _token(container, ctx, signed.session, "openid mobile wallet")
    other_token = _token(container, ctx, other_signed.session, "openid wallet:pay")
    with container.uow() as uow:
        by_cookie = service.resolve_principal(uow, session_token=cookie, bearer_token=None)
        by_token = service.resolve_principal(uow, session_token=None, bearer_token=token)
        other = service.resolve_principal(uow, session_token=cookie, bearer_token=other_token)
    assert by_cookie is not None and by_cookie.via == "session" and by_cookie.may("wallet:pay")
    assert by_token is not None and by_token.customer_id == mine.id and by_token.via == "bearer"
    assert by_token.scopes == frozenset({"openid", "mobile", "wallet"})
    assert by_token.may("wallet") and not by_token.may("wallet:pay") and not by_token.may("mobile:manage")
    assert by_token.auth_methods == ("pwd",) and by_token.owns_phone(PHONE) and not by_token.owns_phone(OTHER)
    # a bearer token wins over a cookie: another customer's token is that customer, nobody else
    assert other is not None and other.customer_id == theirs.id and other.scopes == {"openid", "wallet:pay"}
    # garbage and unknown credentials
    with container.uow() as uow:
        assert service.resolve_principal(uow, session_token="x" * 500, bearer_token=None) is None
        assert service.resolve_principal(uow, session_token=None, bearer_token="nope") is None
        assert service.resolve_principal(uow, session_token=None, bearer_token=None) is None
    # an expired access token, an expired session
    clock.advance_by(timedelta(seconds=ctx.settings.access_token_ttl_s + 1))
    with container.uow() as uow:
        assert service.resolve_principal(uow, session_token=None, bearer_token=token) is None
        assert service.resolve_principal(uow, session_token=cookie, bearer_token=None) is not None
    clock.advance_by(timedelta(seconds=ctx.settings.session_ttl_s))
    with container.uow() as uow:
        assert service.resolve_principal(uow, session_token=cookie, bearer_token=None) is None


def test_resolve_principal_refuses_revoked_tokens_removed_clients_and_deleted_customers(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        created = customer(uow, ctx)
        first = signed_in(uow, ctx, device="a")
        second = signed_in(uow, ctx, device="b")
        uow.commit()
    revoked = _token(container, ctx, first.session, "openid wallet")
    kept = _token(container, ctx, second.session, "openid wallet")
    with container.uow() as uow:
        service.revoke_session(uow, customer_id=created.id, session_id=first.session.id)
        uow.commit()
    with container.uow() as uow:
        assert service.resolve_principal(uow, session_token=None, bearer_token=revoked) is None
        assert service.resolve_principal(uow, session_token=first.token.get_secret_value(), bearer_token=None) is None
        live = service.resolve_principal(uow, session_token=None, bearer_token=kept)
        assert live is not None
    # the client that holds the token is removed: its tokens open nothing
    with container.uow() as uow:
        from yagona.identity.models import OAuthToken

        client_id = uow.session.query(OAuthToken.client_id).filter(OAuthToken.session_id == second.session.id).scalar()
        oidc.remove_client(uow, client_id=client_id)
        uow.commit()
    with container.uow() as uow:
        assert service.resolve_principal(uow, session_token=None, bearer_token=kept) is None
    # a customer deleted (privacy erasure) under a live session: no principal, no 500
    with container.uow() as uow:
        third = signed_in(uow, ctx, device="c")
        uow.commit()
    with container.uow() as uow:
        from yagona.identity.models import AuditEvent, Device, SignInSession

        for table in (Consent, LinkedService, Phone, SignInSession, Device):
            uow.session.execute(delete(table).where(table.customer_id == created.id))
        uow.session.execute(delete(AuditEvent).where(AuditEvent.customer_id == created.id))
        uow.session.execute(delete(Customer).where(Customer.id == created.id))
        uow.commit()
    with container.uow() as uow:
        assert service.resolve_principal(uow, session_token=third.token.get_secret_value(), bearer_token=None) is None


# --- OneID --------------------------------------------------------------------------------


def test_a_oneid_state_is_accepted_only_with_its_browser_key_and_its_customer_once(
    container: Container, ctx: service.IdentityContext
) -> None:
    with container.uow() as uow:
        attacker = customer(uow, ctx, OTHER)
        victim = customer(uow, ctx)
        started = service.begin_oneid(uow, ctx=ctx, customer_id=attacker.id)
        mine = service.begin_oneid(uow, ctx=ctx, customer_id=victim.id)
        uow.commit()
    with container.uow() as uow:
        for key, who in ((None, victim.id), (mine.browser_key, victim.id), (started.browser_key, victim.id)):
            with pytest.raises(OneIdStateError):
                service.take_oneid_state(uow, state=started.state, browser_key=key, signed_in_customer=who)
        uow.rollback()
    with container.uow() as uow:
        assert (
            service.take_oneid_state(
                uow, state=started.state, browser_key=started.browser_key, signed_in_customer=attacker.id
            )
            == attacker.id
        )
        uow.commit()
    with container.uow() as uow, pytest.raises(OneIdStateError):
        service.take_oneid_state(
            uow, state=started.state, browser_key=started.browser_key, signed_in_customer=attacker.id
        )


# --- linked services ----------------------------------------------------------------------


def test_other_domains_link_what_they_connect_and_the_principal_sees_it(
    container: Container, ctx: service.IdentityContext
) -> None:
    from yagona.identity.errors import InvalidRequestError, PhoneTakenError

    with container.uow() as uow:
        mine = customer(uow, ctx)
        theirs = customer(uow, ctx, OTHER)
        service.link_service(uow, customer_id=mine.id, kind="mobile", reference="+998 99 111-22-33")
        service.link_service(uow, customer_id=mine.id, kind="mobile", reference="998991112233")  # again: no-op
        service.link_service(uow, customer_id=mine.id, kind="wallet", reference=PHONE)
        with pytest.raises(PhoneTakenError):
            service.link_service(uow, customer_id=theirs.id, kind="mobile", reference="998991112233")
        with pytest.raises(InvalidRequestError):
            service.link_service(uow, customer_id=mine.id, kind="spaceship", reference="x")
        with pytest.raises(InvalidRequestError):
            service.link_service(uow, customer_id=mine.id, kind="mobile", reference="not-a-phone")
        signed = signed_in(uow, ctx)
        uow.commit()
    with container.uow() as uow:
        principal = service.resolve_principal(uow, session_token=signed.token.get_secret_value(), bearer_token=None)
    assert principal is not None and principal.lines == ("998991112233",)
    assert principal.owns_line("998991112233") and not principal.owns_line("998935550000")


def test_a_client_id_never_reads_as_a_command_line_option(container: Container) -> None:
    # one random id in 64 began with `-` and `yagona oidc client remove ID` took it for an option
    with container.uow() as uow:
        ids = [
            oidc.add_client(
                uow, client=ClientCreate(name=f"App {n}", redirect_uris=["https://app.example/cb"], scopes=["openid"])
            ).client.client_id
            for n in range(256)
        ]
        uow.commit()
    assert len(set(ids)) == 256
    assert all(len(i) == 32 and i[0].isalnum() for i in ids), [i for i in ids if not i[0].isalnum()]
