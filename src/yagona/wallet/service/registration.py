"""Registration (offer 4.1) from a One ID session of the phone, identification in an office
(4.2), and finding a customer's own wallet; the reads of a wallet."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import ForbiddenError, InvalidRequestError
from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.platform.uow import UnitOfWork
from yagona.wallet import repository, rules
from yagona.wallet.errors import WalletExistsError, WalletNotFoundError
from yagona.wallet.events import WalletIdentified, WalletRegistered
from yagona.wallet.models import WalletAccount
from yagona.wallet.schemas import ProviderCatalogue, Tier, WalletRead, WalletState, WalletStatus
from yagona.wallet.service.common import (
    ctx,
    locked,
    new_pin_hash,
    phone_of,
    read,
    refuse_if_closed_or_dormant,
    schedule_check,
    wallet,
    wallet_account_code,
)


def register(
    uow: UnitOfWork,
    *,
    customer_id: str,
    phone: str,
    pin: str,
    birth_date: date | None,
    accept_offer: bool,
    offer_version: str | None,
) -> WalletRead:
    """Offer 4.1.1: phone, a PIN the customer creates, the birth date, the acceptance of the
    offer in force (its version named) → Light. The caller has proved that `customer_id`
    holds `phone` (a One ID session of that phone; the sandbox creates the customer)."""
    s = ctx().settings
    now = uow.clock.now()
    version = rules.check_offer_accepted(accept_offer, version=offer_version, current=s.offer_version)
    phone = phone_of(phone)
    rules.check_pin_format(pin, length_min=s.pin_length_min, length_max=s.pin_length_max)
    birth_date = rules.check_birth_date(
        birth_date, today=now.astimezone(TASHKENT).date(), minimum_age_years=s.minimum_age_years
    )
    if repository.wallet(uow.session, phone) is not None:
        raise WalletExistsError(f"a wallet {phone} exists", phone=phone)
    row = WalletAccount(
        phone=phone,
        customer_id=customer_id,
        tier=Tier.LIGHT.value,
        state=WalletStatus.ACTIVE.value,
        block_reason=None,
        pin_hash=new_pin_hash(pin),
        pin_failures=0,
        pin_locked_until=None,
        birth_date=birth_date,
        birth_date_failures=0,
        offer_accepted_at=now,
        offer_version=version,
        last_activity_at=now,
        created_at=now,
    )
    try:
        with uow.session.begin_nested():
            repository.add_wallet(uow.session, row)
    except IntegrityError as error:  # the same phone registered at the same moment by another request
        raise WalletExistsError(f"a wallet {phone} exists", phone=phone) from error
    ledger.open_account(
        uow,
        account=AccountCreate(
            code=wallet_account_code(phone),
            owner=phone,
            kind="wallet",
            unit=Unit.SOM,
            allow_negative=False,
            upper_limit=s.light_limit_tiyin,
        ),
    )
    schedule_check(uow, row, rules.dormancy_due(row.last_activity_at, years=s.dormancy_years))
    uow.add_event(WalletRegistered(occurred_at=now, phone=phone))
    return read(uow, row)


def identify(
    uow: UnitOfWork, *, phone: str, document: str, birth_date: date | None = None, staff: str = "office"
) -> WalletRead:
    """Offer 4.2: a staff member checked the original identity document → Premium, at once."""
    row = locked(uow, phone)
    refuse_if_closed_or_dormant(row)
    document = (document or "").strip().upper()
    if not 5 <= len(document) <= 40 or not document.replace(" ", "").isalnum():
        raise InvalidRequestError("the identity document's series and number are required", field="document")
    if birth_date is not None and birth_date != row.birth_date:
        raise InvalidRequestError("the birth date does not match the one given at registration", field="birth_date")
    if row.tier == Tier.PREMIUM.value:
        return read(uow, row)
    now = uow.clock.now()
    row.tier = Tier.PREMIUM.value
    row.identity_document = document
    row.identified_by = staff[:120]
    row.identified_at = now
    ledger.set_upper_limit(uow, code=wallet_account_code(row.phone), upper_limit=None)  # 4.5.2
    uow.add_event(WalletIdentified(occurred_at=now, phone=row.phone, staff=row.identified_by))
    return read(uow, row)


def own_wallet(uow: UnitOfWork, *, customer_id: str, phones: tuple[str, ...], phone: str | None = None) -> str:
    """The phone of the customer's own wallet: on one of their profile's phones and not
    registered by another profile. With several, `phone` chooses. Another number is
    refused the same way whether or not it has a wallet."""
    if phone is not None:
        chosen = phone_of(phone)
        if chosen not in phones:
            raise ForbiddenError("this number is not one of your One ID's phones", field="phone")
        candidates = [chosen]
    else:
        candidates = list(phones)
    owned = [w.phone for w in repository.wallets_of(uow.session, candidates) if w.customer_id in (None, customer_id)]
    if not owned:
        raise WalletNotFoundError("you have no wallet on this number" if phone else "you have no wallet")
    if len(owned) > 1:
        raise InvalidRequestError(f"you have {len(owned)} wallets: name the phone of one", field="phone")
    return owned[0]


def own_wallets(uow: UnitOfWork, *, customer_id: str, phones: tuple[str, ...]) -> list[WalletRead]:
    """Every wallet of the customer: on their profile's phones and not registered by another profile."""
    rows = repository.wallets_of(uow.session, list(phones))
    return [read(uow, w) for w in rows if w.customer_id in (None, customer_id)]


def get(uow: UnitOfWork, *, phone: str) -> WalletRead:
    return read(uow, wallet(uow, phone))


def state(uow: UnitOfWork, *, phone: str) -> WalletState:
    """The sandbox's WALLET: phone, tier, state, balance, topups_30d (amounts in tiyin)."""
    found = get(uow, phone=phone)
    return WalletState(
        phone=found.phone, tier=found.tier, state=found.state, balance=found.balance, topups_30d=found.topups_30d
    )


def phones(uow: UnitOfWork) -> list[str]:
    """Every wallet's phone, in order (the sandbox's final snapshot; staff listings page)."""
    found: list[str] = []
    while page := repository.wallets_page(
        uow.session, after_phone=found[-1] if found else None, limit=uow.limits.page_size_max
    ):
        found.extend(w.phone for w in page)
    return found


def provider_catalogue() -> ProviderCatalogue:
    return repository.providers()
