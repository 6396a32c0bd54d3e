"""The USSD gateway endpoint over a real socket, as an operator's USSD centre calls it: a form
per page (`sessionId`, `serviceCode`, `phoneNumber`, `text` = every input joined by `*`), the
answer `CON …` or `END …`. Every code of the price list, the *111# menu (back, main, pages,
hints), the session timeout, two sessions of one phone, the gateway's credentials, the
wallet's PIN — and what the customer's timeline and balances show afterwards."""

from __future__ import annotations

import base64
import itertools
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import START, _truncate_all
from tests.e2e.server import serving
from tests.factories import identity as identity_factory
from tests.factories import lines as line_factory
from tests.factories import wallet as wallet_factory
from yagona.app import cli
from yagona.app.api import create_app
from yagona.app.bootstrap import Container, bootstrap
from yagona.app.ussd import gateways
from yagona.app.ussd.models import UssdSession
from yagona.crm import service as crm
from yagona.identity import service as identity
from yagona.kernel.clock import SimulatedClock
from yagona.ledger import service as ledger_service
from yagona.lines import service as lines
from yagona.lines.schemas import LineState
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings
from yagona.wallet import service as wallets

NOBODY = "998909999999"  # not on our network
PAGE_MAX = 182
GATEWAY = "operator-ussdc"


@dataclass
class Gateway:
    http: httpx.Client
    name: str
    key: str
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def auth(self, name: str | None = None, key: str | None = None) -> dict[str, str]:
        token = base64.b64encode(f"{name or self.name}:{key or self.key}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def post(self, form: dict[str, str], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post("/api/v1/ussd", data=form, headers=self.auth() if headers is None else headers)

    def dial(self, code: str, phone: str) -> Session:
        return Session(self, f"ATUid_{next(self.ids)}", code, phone)


@dataclass
class Session:
    """One phone's session: each `send` is the next page request, the inputs so far joined by `*`."""

    gateway: Gateway
    session_id: str
    code: str
    phone: str
    inputs: list[str] = field(default_factory=list)

    def page(self) -> str:
        form = {"sessionId": self.session_id, "serviceCode": self.code, "phoneNumber": self.phone}
        answer = self.gateway.post({**form, "text": "*".join(self.inputs)})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain")
        assert answer.text.startswith(("CON ", "END ")), answer.text
        assert len(answer.text) - 4 <= PAGE_MAX, f"{len(answer.text) - 4} characters: {answer.text}"
        return answer.text

    def start(self) -> str:
        return self.page()

    def send(self, typed: str) -> str:
        self.inputs.append(typed)
        return self.page()


@dataclass
class World:
    """One server and database for the module (starting them is most of a test's time); each
    test has its own phones, customer and wallet."""

    gateway: Gateway
    container: Container
    clock: SimulatedClock
    settings: Settings
    database_url: str
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_line(self, plan: str = "lider-start", deposit_som: int = 50_000) -> str:
        msisdn = f"99890{next(self.numbers):07d}"
        with self.container.uow() as uow:
            line_factory.connect(uow, msisdn, plan, deposit_som=deposit_som)
            uow.commit()
        return msisdn


@dataclass
class Site:
    world: World
    phone: str  # a One ID customer's line, with a wallet
    other: str  # a line without One ID
    customer_id: str

    @property
    def gateway(self) -> Gateway:
        return self.world.gateway

    @property
    def container(self) -> Container:
        return self.world.container

    @property
    def clock(self) -> SimulatedClock:
        return self.world.clock

    @property
    def database_url(self) -> str:
        return self.world.database_url

    def new_line(self, plan: str, deposit_som: int) -> str:
        return self.world.new_line(plan, deposit_som)

    def dial(self, code: str, phone: str | None = None) -> Session:
        return self.gateway.dial(code, phone or self.phone)

    def line(self, msisdn: str | None = None) -> LineState:
        with self.container.uow() as uow:
            return lines.state(uow, msisdn=msisdn or self.phone)

    def wallet_balance(self) -> int:
        with self.container.uow() as uow:
            return wallets.get(uow, phone=self.phone).balance

    def sessions(self) -> int:
        with self.container.uow() as uow:
            return int(uow.session.scalar(select(func.count()).select_from(UssdSession)) or 0)

    def timeline(self) -> list[str]:
        with self.container.uow() as uow:
            return [row.summary for row in crm.timeline(uow, customer_id=self.customer_id, channel="ussd")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    """SQLite only: nothing here depends on locking (the ledger's races are tested elsewhere)."""
    path = tmp_path_factory.mktemp("ussd") / "yagona.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    settings = Settings(env="test", database={"url": url})  # type: ignore[arg-type]
    engine = make_engine(url, pool_size=20)
    clock = SimulatedClock(START)
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    with container.uow() as uow:
        key = gateways.add(uow, name=GATEWAY)
        uow.commit()
    app = create_app(settings, container=container)
    with serving(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield World(Gateway(http, GATEWAY, key), container, clock, settings, url)
    with container.uow() as uow:
        report = ledger_service.verify(uow)
    engine.dispose()
    assert report.ok, f"ledger broken: {report.problems}"


@pytest.fixture
def site(world: World) -> Site:
    phone, other = world.new_line("lider-start", 200_000), world.new_line()
    with world.container.uow() as uow:
        ctx = identity_factory.context(world.settings)
        customer = identity_factory.customer(uow, ctx, phone=phone, password=None)
        wallet_factory.register(uow, phone, customer_id=customer.id)
        wallet_factory.top_up(uow, phone, wallet_factory.som(100_000))
        uow.commit()
    return Site(world, phone, other, customer.id)


def test_the_query_codes_answer_at_once_and_end_the_session(site: Site) -> None:
    assert site.dial("*100#").start() == "END Balans: 160 000.00 so'm. Tarif: Lider Start."
    assert site.dial("*103#").start().startswith("END Internet qoldig'i: ")
    assert site.dial("*105#").start().startswith("END SMS qoldig'i: ")
    assert site.dial("*106#").start().startswith("END Daqiqalar qoldig'i: ")
    assert site.dial("*108#").start().startswith("END Birinchi oy bonusi qoldig'i: ")
    assert site.dial("*20#").start() == "END So'rov noto'g'ri: promo"  # Lider Start has no TV promo
    assert site.dial("*999#").start().startswith("END ")  # not a code of ours: said, not an error page
    assert site.line().balance_tiyin == 16_000_000  # nothing charged by asking
    assert site.dial("*111#", NOBODY).start() == "END Kechirasiz, bu raqam bizning tarmoqda emas."
    assert site.dial("*111#", "12345").start().startswith("END ")
    assert site.gateway.post({"sessionId": "x", "serviceCode": "*111#"}).status_code == 422


def test_switching_by_code_shows_the_quote_first_and_switches_on_confirmation(site: Site) -> None:
    dialled = site.dial("*110*721#")
    quote = dialled.start()
    assert quote.startswith("CON Lider Plus ga o'tish: ") and "1 Tasdiqlash" in quote and "0 Bekor qilish" in quote
    assert site.line().plan == "lider-start"  # a quote changes nothing
    assert dialled.send("1") == "END Tarif rejangiz Lider Plus ga o'zgartirildi."
    assert site.line().plan == "lider-plus"
    # the same request again (a gateway's retry): the same answer, not a second switch
    assert dialled.page() == "END Tarif rejangiz Lider Plus ga o'zgartirildi."
    assert site.line().balance_tiyin == 16_000_000 - 5_500_000
    teacher = site.new_line("ustoz-start", 100_000)
    assert site.dial("*20#", teacher).start() == (
        "END Beeline TV: 30 kunlik bepul obuna yoqildi. Promo-kod SMS orqali yuboriladi."
    )
    # the switch code dialled in two steps (a gateway's extended code): the plan code as the first input
    typed = site.dial("*110#")
    assert typed.start().startswith("CON Tarif kodini kiriting")
    assert typed.send("720").startswith("CON Lider Start ga o'tish")
    assert typed.send("0").startswith("CON Tarif kodini kiriting")  # back one screen
    assert typed.send("0") == "END Bekor qilindi."
    assert site.line().plan == "lider-plus"
    cancelled = site.dial("*5#")
    assert cancelled.start().startswith("CON Qayta yuklash: 55 000.00 so'm hozir yechiladi")
    assert cancelled.send("0") == "END Bekor qilindi."
    assert site.line().balance_tiyin == 10_500_000
    confirmed = site.dial("*5#")
    confirmed.start()
    assert confirmed.send("1") == "END Qayta yuklash bajarildi. Yangi paket berildi. Balans: 50 000.00 so'm"


def test_the_menu_tree_back_main_and_compare(site: Site) -> None:
    menu = site.dial("*111#")
    top = menu.start()
    assert top == (
        "CON Yagona *111#\n1 Balans va paketlar\n2 Tariflar\n3 Hamyon\n4 Ballar\n5 Til / Язык / Language"
        "\n6 Operator bilan bog'lanish"
    )
    balance = menu.send("1")
    assert balance.startswith("CON Balans: 160 000.00 so'm. Tarif: Lider Start.")
    assert balance.endswith("9 Keyingi\n0 Orqaga\n00 Bosh menyu")  # over one page: cut between lines
    more = menu.send("9")
    assert more.startswith("CON SMS qoldig'i: ") and more.endswith("0 Orqaga\n00 Bosh menyu")
    assert menu.send("0") == balance  # a page back
    assert menu.send("0") == top  # a screen back
    plans = menu.send("2")
    assert plans.startswith("CON Tarifingiz: Lider Start, 35 000.00 so'm/oy. O'tish mumkin:\n1 Lider Plus")
    plan = menu.send("1")
    assert plan.startswith("CON Lider Plus: 55 000.00 so'm/oy.") and "1 O'tish\n2 Solishtirish" in plan
    pick = menu.send("2")
    assert pick.startswith("CON Lider Plus qaysi tarif bilan solishtirilsin?\n1 Lider Start")
    compared = menu.send("1")
    assert "Lider Plus: 55 000.00 so'm/oy." in compared and "Lider Start: 35 000.00 so'm/oy." in compared
    assert menu.send("0") == pick
    assert menu.send("0") == plan
    assert menu.send("00") == top
    switch = menu.send("2")
    assert switch == plans
    menu.send("1")
    quote = menu.send("1")
    assert quote.startswith("CON Lider Plus ga o'tish: 55 000.00 so'm hozir yechiladi (balans 160 000.00 so'm)")
    assert menu.send("1") == "END Tarif rejangiz Lider Plus ga o'zgartirildi."
    assert site.line().plan == "lider-plus"
    assert site.timeline() == ["USSD: plan switched to lider-plus"]  # one interaction for the session


def test_talk_to_a_person_opens_a_call_back_ticket_for_the_call_centre(site: Site) -> None:
    menu = site.dial("*111#")
    menu.start()
    assert menu.send("6") == "CON Operator sizga ish vaqtida qo'ng'iroq qiladi.\n1 Tasdiqlash\n0 Orqaga\n00 Bosh menyu"
    done = menu.send("1")
    with site.container.uow() as uow:
        found = identity.find_customer_by_phone(uow, phone=site.phone)
        assert found is not None
        [request] = crm.contact_requests(uow, customer_id=found.id)
        ticket = crm.ticket(uow, ticket_id=request.id, customer_id=found.id)
    assert (ticket.channel, ticket.category, ticket.status) == ("ussd", "question", "open")
    assert done == (
        f"END So'rov qabul qilindi, raqami {crm.ticket_number(ticket.id)}. Operator ish vaqtida qo'ng'iroq qiladi."
    )
    assert "USSD: call-back requested" in site.timeline()


def test_input_outside_the_menu_shows_the_same_page_with_a_hint(site: Site) -> None:
    menu = site.dial("*111#")
    top = menu.start()
    for wrong in ("7", "abc", "", "12345678901234567890"):
        hinted = menu.send(wrong)
        assert hinted == "CON Noto'g'ri tanlov. Raqamni tanlang.\n" + top.removeprefix("CON ")
    assert menu.send("5").startswith("CON Tilni tanlang:")
    wallet = site.dial("*111#")
    wallet.start()
    wallet.send("3")
    wallet.send("1")
    assert wallet.send("ten").startswith("CON Noto'g'ri qiymat.\nSummani kiriting")


def test_a_second_session_of_the_same_phone_is_independent_and_an_idle_one_times_out(site: Site) -> None:
    first, second = site.dial("*111#"), site.dial("*111#")
    first.start()
    first.send("2")
    assert second.start().startswith("CON Yagona *111#")
    assert second.send("1").startswith("CON Balans: ")
    assert first.send("1").startswith("CON Lider Plus: ")  # the first is still in the plans
    assert site.dial("*100#", site.other).start() == "END Balans: 10 000.00 so'm. Tarif: Lider Start."
    menu = site.dial("*111#")
    top = menu.start()
    menu.send("2")
    site.clock.advance_by(timedelta(seconds=181))
    assert menu.send("1") == top  # not the first plan of the list: the top again
    assert menu.send("1").startswith("CON Balans: ")


def test_only_a_gateway_with_its_key_is_answered(site: Site) -> None:
    form = {"sessionId": "x1", "serviceCode": "*111#", "phoneNumber": site.phone, "text": ""}
    gateway = site.gateway
    with site.container.uow() as uow:
        second = Gateway(gateway.http, "second-ussdc", gateways.add(uow, name="second-ussdc"))
        uow.commit()
    before = site.sessions()
    refused = [
        gateway.post(form, headers={}),
        gateway.post(form, headers=gateway.auth(key="not-the-key")),
        gateway.post(form, headers=gateway.auth(name="someone-else")),
        gateway.post(form, headers=gateway.auth(key=second.key)),  # another gateway's key
        gateway.post(form, headers={"Authorization": "Basic !!!"}),
        gateway.post(form, headers={"Authorization": "Bearer " + gateway.key}),
    ]
    assert [answer.status_code for answer in refused] == [401] * 6
    assert refused[0].json()["code"] == "unauthenticated"
    assert second.post(form).status_code == 200
    with site.container.uow() as uow:
        gateways.disable(uow, name=second.name)
        uow.commit()
    assert second.post({**form, "sessionId": "x2"}).status_code == 401
    assert site.sessions() == before + 1  # only the one it answered


def test_the_wallet_pays_the_line_with_the_right_pin_and_points_buy_a_reward(site: Site) -> None:
    wallet_before, line_before = site.wallet_balance(), site.line().balance_tiyin
    wrong = site.dial("*111#")
    wrong.start()
    assert wrong.send("3").startswith("CON Hamyon: 100 000.00 so'm (Light).\n1 Raqamimni to'lash")
    assert wrong.send("1").startswith("CON Summani kiriting")
    assert wrong.send("10000").startswith(f"CON {site.phone} ga 10 000.00 so'm, komissiya ")
    refused = wrong.send("11111")
    assert refused.startswith("CON ") and "PIN" in refused and "0 Orqaga" in refused
    assert (site.wallet_balance(), site.line().balance_tiyin) == (wallet_before, line_before)  # nothing moved
    right = site.dial("*111#")
    for typed in ("3", "1", "10000"):
        right.start() if not right.inputs else None
        right.send(typed)
    paid = right.send(wallet_factory.PIN)
    assert paid.startswith("END To'landi: 10 000.00 so'm. Chek ")
    assert site.line().balance_tiyin == line_before + 1_000_000
    assert site.wallet_balance() < wallet_before - 1_000_000 + 1  # the amount and any commission
    summaries = site.timeline()
    assert "USSD: line paid from the wallet" in summaries
    assert not any(wallet_factory.PIN in summary or "11111" in summary for summary in summaries)
    with site.container.uow() as uow:  # nor in the sessions' rows
        kept = [f"{row.stack} {row.last_reply}" for row in uow.session.scalars(select(UssdSession))]
    assert kept and not any(wallet_factory.PIN in row or "11111" in row for row in kept)
    menu = site.dial("*111#")
    menu.start()
    points = menu.send("4")
    assert points.startswith("CON Ballar: ") and "1 Sovg'a olish" in points
    assert menu.send("1").startswith("CON Sovg'ani tanlang:\n1 data-1gb")
    assert menu.send("1").startswith("CON data-1gb: ")
    done = menu.send("1")
    assert done.startswith("END Sovg'a berildi: data-1gb. Qolgan ballar: ")
    assert site.line().bundles["bonus_mb"] == 1024


def test_the_language_is_kept_in_one_id_or_for_the_phone(site: Site) -> None:
    menu = site.dial("*111#")
    menu.start()
    menu.send("5")
    assert menu.send("2").startswith("CON Yagona *111#\n1 Баланс и пакеты")
    with site.container.uow() as uow:
        assert identity.get_customer(uow, customer_id=site.customer_id).language.value == "ru"
    assert site.dial("*100#").start().startswith("END Баланс: 160 000.00 so'm")
    other = site.dial("*111#", site.other)  # no One ID: the USSD state keeps it
    other.start()
    other.send("5")
    assert other.send("3").startswith("CON Yagona *111#\n1 Balance and bundles")
    assert site.dial("*106#", site.other).start().startswith("END Minutes left: ")


def test_the_terminal_emulator_dials_through_the_same_conversation(site: Site) -> None:
    run = CliRunner().invoke(
        cli.app, ["--database-url", site.database_url, "ussd", site.phone], input="*111#\n1\n\n*100#\n\n"
    )
    assert run.exit_code == 0, run.output
    assert "Yagona *111#" in run.output and "1 Balans va paketlar" in run.output
    assert "Balans: 160 000.00 so'm. Tarif: Lider Start." in run.output
    gateway = ["--database-url", site.database_url, "ussd", "gateway"]
    added = CliRunner().invoke(cli.app, [*gateway, "add", "cli-ussdc"])
    assert added.exit_code == 0, added.output
    key = added.output.strip().splitlines()[-1]
    form = {"sessionId": "cli1", "serviceCode": "*100#", "phoneNumber": site.phone}
    assert site.gateway.post(form, headers=site.gateway.auth("cli-ussdc", key)).status_code == 200
    assert "cli-ussdc\tactive" in CliRunner().invoke(cli.app, [*gateway, "list"]).output
    assert CliRunner().invoke(cli.app, [*gateway, "add", "cli-ussdc"]).exit_code == 1  # taken: refused
    assert CliRunner().invoke(cli.app, [*gateway, "disable", "cli-ussdc"]).exit_code == 0
    assert (
        site.gateway.post({**form, "sessionId": "cli2"}, headers=site.gateway.auth("cli-ussdc", key)).status_code == 401
    )


# --- two requests of one session at once (PostgreSQL: real row locks) ------------------------------


@pytest.fixture
def pg_world(postgres_database: str) -> Iterator[World]:
    """Its own server on PostgreSQL, for the one test that races two requests of a session."""
    settings = Settings(env="test", database={"url": postgres_database})  # type: ignore[arg-type]
    engine = make_engine(postgres_database, pool_size=20)
    clock = SimulatedClock(START)
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    with container.uow() as uow:
        key = gateways.add(uow, name=GATEWAY)
        uow.commit()
    app = create_app(settings, container=container)
    try:
        with serving(app) as base, httpx.Client(base_url=base, timeout=30) as http:
            yield World(Gateway(http, GATEWAY, key), container, clock, settings, postgres_database)
        with container.uow() as uow:
            report = ledger_service.verify(uow)
        assert report.ok, f"ledger broken: {report.problems}"
    finally:
        _truncate_all(engine)
        engine.dispose()


def at_once(gateway: Gateway, form: dict[str, str], times: int = 2) -> list[httpx.Response]:
    """The same page request `times` times at once (a gateway's retry while the first is in
    flight), each from its own connection, released together."""
    start = threading.Barrier(times)

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=gateway.http.base_url, timeout=30) as own:
            start.wait()
            return own.post("/api/v1/ussd", data=form, headers=gateway.auth())

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(send, range(times)))


@pytest.mark.postgres
def test_two_requests_of_one_session_at_once_act_once_and_answer_alike(pg_world: World) -> None:
    rounds = 4  # each round a new session: the first page raced, then the confirmation raced
    lines_ = [pg_world.new_line("lider-start", 200_000) for _ in range(rounds)]
    for i, msisdn in enumerate(lines_):
        form = {"sessionId": f"race-{i}", "serviceCode": "*5#", "phoneNumber": msisdn, "text": ""}
        first = at_once(pg_world.gateway, form)
        assert [r.status_code for r in first] == [200, 200], [r.text for r in first]
        assert first[0].text == first[1].text
        assert first[0].text.startswith("CON Qayta yuklash: 35 000.00 so'm hozir yechiladi")
        confirmed = at_once(pg_world.gateway, {**form, "text": "1"})
        assert [r.status_code for r in confirmed] == [200, 200], [r.text for r in confirmed]
        assert (
            confirmed[0].text
            == confirmed[1].text
            == ("END Qayta yuklash bajarildi. Yangi paket berildi. Balans: 125 000.00 so'm")
        )
    with pg_world.container.uow() as uow:
        rows = uow.session.scalars(select(UssdSession).order_by(UssdSession.session_ref))
        sessions = [(r.session_ref, r.inputs_seen, r.last_reply[:4]) for r in rows]
        balances = [lines.state(uow, msisdn=m).balance_tiyin for m in lines_]
    assert sessions == [
        (f"race-{i}", 1, "END ") for i in range(rounds)
    ]  # one row a session, its state the confirmation's
    assert balances == [12_500_000] * rounds  # 200 000 - 40 000 first fee - 35 000 reload: charged once
