"""Demo data for `make run`: loaded through the same services as real work, and idempotent,
so running it again changes nothing. Dev only: the demo password and PIN are public."""

from __future__ import annotations

from datetime import date

from pydantic import SecretStr

from yagona.crm import service as crm
from yagona.home import service as home
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerCreate
from yagona.identity.service import staff
from yagona.kernel.errors import NotFoundError
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.lines import service as lines
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallets

OPERATOR_ACCOUNTS = [
    AccountCreate(
        code="external:card-settlement", owner="operator", kind="settlement", unit=Unit.SOM, allow_negative=True
    ),
]
DEMO_LINES = [
    ("998901234500", "lider-plus", 150_000),
    ("998911234501", "ustoz-start", 60_000),
    ("998901234502", "terminal", 20_000),
]
DEMO_CUSTOMER = {"phone": "998901234500", "name": "Aziza Karimova", "password": "demo-parol-2026"}
# One member of staff per role for the console (/staff/login); dev only, so public.
DEMO_STAFF = [("demo-agent", "Dilshod Agent", "agent"), ("demo-supervisor", "Malika Supervisor", "supervisor"),
              ("demo-admin", "Rustam Admin", "admin")]  # fmt: skip
DEMO_STAFF_PASSWORD, DEMO_STAFF_TOTP_SECRET = "demo-staff-2026", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_WALLET_PHONE, DEMO_WALLET_PIN, DEMO_WALLET_BIRTH_DATE = "998901234500", "24680", date(1990, 5, 17)
# Her home internet, with the first fee on its balance: it waits for her OneID check
# (`/api/v1/auth/oneid/start`, the simulator in dev), then starts.
DEMO_HOME_ADDRESS, DEMO_HOME_PLAN = "Toshkent, Chilonzor 9-mavze, 12-uy, 34-xonadon", "uy-100"


def load(uow: UnitOfWork, settings: Settings) -> list[str]:
    """The operator's accounts, three lines, a One ID customer and a funded wallet."""
    for account in OPERATOR_ACCOUNTS:
        ledger.open_account(uow, account=account)
    done = []
    for msisdn, plan, deposit in DEMO_LINES:
        try:
            lines.state(uow, msisdn=msisdn)
        except NotFoundError:
            lines.connect(uow, msisdn=msisdn, plan_id=plan, deposit=Money.of_som(deposit))
        done.append(f"line {msisdn} ({plan})")
    context = identity.make_context(secret_key=settings.secret_key.get_secret_value(), env=settings.env)
    if identity.find_customer_by_phone(uow, phone=DEMO_CUSTOMER["phone"]) is None:
        identity.register_customer(
            uow,
            ctx=context,
            customer=CustomerCreate(
                phone=DEMO_CUSTOMER["phone"],
                name=DEMO_CUSTOMER["name"],
                password=SecretStr(DEMO_CUSTOMER["password"]),
                accept_documents=True,
            ),
        )
    lines.link_to_owner(uow, DEMO_CUSTOMER["phone"])  # her line, connected before she signed up
    done.append(f"One ID customer {DEMO_CUSTOMER['phone']} (password {DEMO_CUSTOMER['password']})")
    if DEMO_WALLET_PHONE not in wallets.phones(uow):
        holder = identity.find_customer_by_phone(uow, phone=DEMO_WALLET_PHONE)
        assert holder is not None, "the demo wallet belongs to the demo One ID customer"
        wallets.register(
            uow,
            customer_id=holder.id,
            phone=DEMO_WALLET_PHONE,
            pin=DEMO_WALLET_PIN,
            birth_date=DEMO_WALLET_BIRTH_DATE,
            accept_offer=True,
            offer_version=wallets.current().settings.offer_version,
        )
        wallets.topup(
            uow,
            phone=DEMO_WALLET_PHONE,
            amount=Money.of_som(200_000).tiyin,
            source="card",
            idempotency_key="demo:wallet:topup",
        )
    holder = identity.find_customer_by_phone(uow, phone=DEMO_WALLET_PHONE)
    assert holder is not None
    identity.link_service(uow, customer_id=holder.id, kind="wallet", reference=DEMO_WALLET_PHONE)
    done.append(f"wallet {DEMO_WALLET_PHONE} (PIN {DEMO_WALLET_PIN})")
    known = {member.login for member in staff.list_staff(uow)}
    for login, name, role in DEMO_STAFF:
        if login not in known:
            staff.add_staff(uow, ctx=context, login=login, name=name, role=role, password=DEMO_STAFF_PASSWORD,
                            totp_secret=DEMO_STAFF_TOTP_SECRET)  # fmt: skip
    done.append(f"staff {', '.join(login for login, _name, _role in DEMO_STAFF)}")
    if not home.accounts_of(uow, customer_id=holder.id):
        requested = home.request_connection(
            uow, customer_id=holder.id, address=DEMO_HOME_ADDRESS, plan_id=DEMO_HOME_PLAN, equipment=["router-wifi"]
        )
        home.top_up(uow, contract=requested.contract, amount=Money.of_som(200_000), idempotency_key="demo:home")
    done.extend(f"home internet {a.contract} ({a.state})" for a in home.accounts_of(uow, customer_id=holder.id))
    if not crm.tickets(uow, customer_id=holder.id, limit=1):  # the console's queue is not empty
        crm.open_request(uow, customer_id=holder.id, channel="portal", summary="Kechqurun internet sekin",
                         body="Har kuni soat 21:00 dan keyin internet juda sekin ishlaydi", category="technical",
                         service="mobile")  # fmt: skip
        crm.open_request(uow, customer_id=holder.id, channel="telegram", summary="Telegram: asked to talk to a person",
                         body="Mart oyi uchun abonent to'lovi ikki marta yechildi", category="complaint")  # fmt: skip
    done.append(f"tickets: {len(crm.tickets(uow, customer_id=holder.id))} (/staff/tickets)")
    return done


def current_state(uow: UnitOfWork) -> list[str]:
    """What the demo data holds now (balances as they are, not as they were created), in so'm."""
    balances = ledger.posted_balances(
        uow,
        codes=[f"line:{msisdn}" for msisdn, _plan, _deposit in DEMO_LINES] + [f"wallet:{DEMO_WALLET_PHONE}"],
    )
    state = []
    for msisdn, _plan, _deposit in DEMO_LINES:
        line = lines.state(uow, msisdn=msisdn)
        balance = Money(balances[f"line:{msisdn}"]).format()
        state.append(f"line {msisdn} ({line.plan}, {line.status}): balance {balance}")
    state.append(
        f"One ID customer {DEMO_CUSTOMER['phone']} (password {DEMO_CUSTOMER['password']}; or sign in by SMS"
        f" code: `yagona notify outbox --phone {DEMO_CUSTOMER['phone']}` shows it)"
    )
    wallet = Money(balances[f"wallet:{DEMO_WALLET_PHONE}"]).format()
    state.append(f"wallet {DEMO_WALLET_PHONE} (PIN {DEMO_WALLET_PIN}): balance {wallet}")
    state.extend(
        f"staff {login} ({role}) at /staff/login: password {DEMO_STAFF_PASSWORD}, authenticator secret"
        f" {DEMO_STAFF_TOTP_SECRET}"
        for login, _name, role in DEMO_STAFF
    )
    holder = identity.find_customer_by_phone(uow, phone=DEMO_CUSTOMER["phone"])
    state.extend(
        f"home internet {a.contract} ({a.plan}, {a.state}): balance {Money(a.balance_tiyin).format()}"
        for a in (home.accounts_of(uow, customer_id=holder.id) if holder else [])
    )
    return state
