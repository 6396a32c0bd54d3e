"""One ID benchmark: grants per second per core through authlib's token endpoint code
path (refresh-token and client-credentials grants, each one transaction with its
writes), and password sign-ins per second per core at Argon2id OWASP cost.

One thread, so the figures are per core; no socket, so they measure the provider and the
database, not HTTP parsing (uvicorn adds its own, measured elsewhere)."""

from __future__ import annotations

import base64
import statistics
import time
from dataclasses import dataclass

from pydantic import SecretStr

from yagona.app.bootstrap import Container, bootstrap
from yagona.identity import oidc, service
from yagona.identity.schemas import ClientCreate, CustomerCreate, DeviceInfo
from yagona.kernel.clock import SystemClock
from yagona.platform import migrate
from yagona.platform.settings import Settings

PHONE = "998901234567"
PASSWORD = "Bench-Parol-2026"  # noqa: S105 - a benchmark's throwaway customer


@dataclass(frozen=True, slots=True)
class IdentityResult:
    scenario: str
    backend: str
    operations: int
    per_second: float
    p50_ms: float
    p99_ms: float


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _setup(container: Container, ctx: service.IdentityContext) -> tuple[dict[str, str], str]:
    """A customer, a confidential client, and a first refresh token: (token-endpoint headers, refresh token)."""
    with container.uow() as uow:
        customer = service.register_customer(
            uow,
            ctx=ctx,
            customer=CustomerCreate(phone=PHONE, name="Bench", password=SecretStr(PASSWORD), accept_documents=True),
        )
        created = oidc.add_client(
            uow,
            client=ClientCreate(
                name="bench",
                redirect_uris=["https://bench.example/cb"],
                first_party=True,
                grant_types=["authorization_code", "refresh_token", "client_credentials"],
            ),
        )
        signed = service.login_with_password(uow, ctx=ctx, phone=PHONE, password=PASSWORD)
        uow.commit()
    assert created.client_secret is not None
    basic = base64.b64encode(f"{created.client.client_id}:{created.client_secret.get_secret_value()}".encode()).decode()
    headers = {"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"}
    end_user = oidc.EndUser(customer.id, signed.session.id, signed.session.authenticated_at, ["pwd"])

    # The first refresh token, as the code grant would have issued it.
    with container.uow() as uow:
        provider = oidc.Provider(uow, ctx)
        client = provider.query_client(created.client.client_id)
        assert client is not None
        token = provider._generate_token(
            grant_type="authorization_code", client=client, user=end_user,
            scope="openid offline_access",
        )  # fmt: skip
        request = oidc._Request(oidc.RawRequest("POST", "https://bench.example/oauth/token", headers, [], []))
        request.user = end_user
        request.client = client
        provider.save_token(token, request)
        uow.commit()
    return headers, str(token["refresh_token"])


def run(url: str, *, grants: int, logins: int) -> list[IdentityResult]:
    settings = Settings(env="test", database={"url": url})
    container = bootstrap(settings, clock=SystemClock(), configure_logs=False)
    migrate.upgrade(container.engine)
    backend = container.engine.dialect.name
    ctx = service.make_context(secret_key=settings.secret_key.get_secret_value(), env="test")
    headers, refresh = _setup(container, ctx)

    def grant(form: list[tuple[str, str]]) -> dict[str, object]:
        raw = oidc.RawRequest("POST", "https://bench.example/oauth/token", headers, [], form)
        with container.uow() as uow:
            reply = oidc.Provider(uow, ctx).create_token_response(raw)
            assert reply.status == 200, reply.body
            uow.commit()
        body: dict[str, object] = reply.body
        return body

    results = []
    samples: list[float] = []
    started = time.perf_counter()
    for _ in range(grants):
        t0 = time.perf_counter()
        refresh = str(grant([("grant_type", "refresh_token"), ("refresh_token", refresh)])["refresh_token"])
        samples.append(time.perf_counter() - t0)
    results.append(_result("refresh_token grant", backend, grants, time.perf_counter() - started, samples))

    samples = []
    started = time.perf_counter()
    for _ in range(grants):
        t0 = time.perf_counter()
        grant([("grant_type", "client_credentials"), ("scope", "openid")])
        samples.append(time.perf_counter() - t0)
    results.append(_result("client_credentials grant", backend, grants, time.perf_counter() - started, samples))

    samples = []
    started = time.perf_counter()
    for i in range(logins):
        t0 = time.perf_counter()
        with container.uow() as uow:
            service.login_with_password(
                uow, ctx=ctx, phone=PHONE, password=PASSWORD, device=DeviceInfo(device_id=f"d{i % 4}")
            )
            uow.commit()
        samples.append(time.perf_counter() - t0)
    results.append(
        _result("password sign-in (Argon2id m=19MiB t=2 p=1)", backend, logins, time.perf_counter() - started, samples)
    )
    container.engine.dispose()
    return results


def _result(scenario: str, backend: str, count: int, elapsed_s: float, samples: list[float]) -> IdentityResult:
    return IdentityResult(
        scenario=scenario,
        backend=backend,
        operations=count,
        per_second=count / elapsed_s,
        p50_ms=statistics.median(samples) * 1000,
        p99_ms=_percentile(samples, 0.99) * 1000,
    )
