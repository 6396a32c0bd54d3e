"""The console's customer pages: the search, the customer 360 (opened only with a reason),
and the actions on a customer's line and wallet, each with a reason and a role. Every view
and every action is written to the access log in the same transaction as what it did."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yagona.analytics import service as analytics
from yagona.app.staff import access, customer360, labels, timeline
from yagona.app.staff.common import Uow, page
from yagona.catalog import home as catalogue
from yagona.home import service as home
from yagona.home.schemas import HomeAccountState
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerRead, ServiceKind
from yagona.identity.service import staff as staff_service
from yagona.kernel.errors import NotFoundError, YagonaError
from yagona.kernel.money import Money
from yagona.kernel.phone import MSISDN_PATTERN, display_msisdn
from yagona.lines import service as lines
from yagona.platform import i18n
from yagona.platform.auth import StaffPrincipal, staff_member
from yagona.platform.pages.core import N_, page_language, page_router, pages_of
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy
from yagona.privacy.errors import AccessNotGrantedError, ReasonRequiredError
from yagona.wallet import service as wallets
from yagona.wallet.schemas import BlockReason as WalletBlockReason
from yagona.wallet.schemas import WalletRead

router = page_router(prefix="/staff")
CustomerId = Annotated[str, Path(max_length=36)]
Msisdn = Annotated[str, Path(pattern=MSISDN_PATTERN)]
Reason = Annotated[str, Form(max_length=privacy.REASON_MAX_LENGTH)]
RECENT = 10

# A wallet's state and tier, and a line's, as the console says them.
STATES = {"active": N_("Active"), "blocked": N_("Blocked"), "closed": N_("Closed")}
TIERS = {"light": N_("Light"), "premium": N_("Premium")}
BLOCK_REASONS = {
    "lost": N_("lost phone"),
    "fraud": N_("frozen"),
    "administrative": N_("administrative"),
    "debt": N_("debt"),
    "pin_forgotten": N_("PIN forgotten"),
    "dormant": N_("dormant"),
}


@router.get("")
def search(request: Request, uow: Uow, q: str = "") -> Response:
    """Find a customer by phone (a profile's, a line's, a wallet's), name, customer id, or a
    home-internet contract (home sits above identity: the console asks both)."""
    member = staff_member(request, uow)
    query = q.strip()[:200]
    ids = staff_service.search_customers(uow, query=query)
    if query:  # a home contract too; the home domain knows its format (not one: refused, ignored)
        with contextlib.suppress(YagonaError):
            ids = [home.state(uow, contract=query).customer_id, *ids]
    found = [identity.get_customer(uow, customer_id=i) for i in dict.fromkeys(ids)]
    # The list is minimal: a masked name and the phones searched by; the cabinet opens only
    # with the customer's permission (privacy grants).
    results = [
        {"id": c.id, "name": access.masked(c.name), "phones": [display_msisdn(p) for p in c.phones]} for c in found
    ]
    return page(request, "search.html", member, q=query, results=results, searched=bool(query))


@router.get("/customers/{customer_id}")
def ask_reason(request: Request, uow: Uow, customer_id: CustomerId) -> Response:
    """Before a customer's data is shown: why is it being opened? (The reason is logged.)"""
    member = staff_member(request, uow)
    customer = identity.get_customer(uow, customer_id=customer_id)  # an unknown id: the 404 page
    if privacy.active_grant(uow, staff_id=member.staff_id, customer_id=customer.id, section="profile") is None:
        return access.ask_page(request, uow, member, customer)  # first the customer's permission
    return page(request, "reason.html", member, customer_id=customer_id, error=None)


@router.post("/customers/{customer_id}")
def open_customer(request: Request, uow: Uow, customer_id: CustomerId, reason: Reason = "") -> Response:
    """The customer 360, logged with its reason."""
    member = staff_member(request, uow)
    customer = identity.get_customer(uow, customer_id=customer_id)
    try:
        privacy.require_access(uow, staff_id=member.staff_id, customer_id=customer.id, section="profile")
    except AccessNotGrantedError:
        return access.ask_page(request, uow, member, customer, status_code=403)
    try:
        privacy.record_access(uow, staff_id=member.staff_id, customer_id=customer.id, action="view", reason=reason)
    except ReasonRequiredError as error:  # the form again, saying why
        message = i18n.localize(error, page_language(request))
        return page(request, "reason.html", member, status_code=422, customer_id=customer.id, error=message)
    uow.commit()
    return _customer_page(request, uow, member, customer, done=None)


@dataclass(frozen=True)
class _Action:
    role: str
    done: str  # a msgid: what the page says once it is done


LINE_ACTIONS = {
    "block": _Action("agent", N_("The line is blocked.")),
    "unblock": _Action("agent", N_("The line is unblocked.")),
}
WALLET_ACTIONS = {
    "lost": _Action("supervisor", N_("The wallet is blocked: the phone was lost.")),
    "freeze": _Action("supervisor", N_("The wallet is frozen.")),
    "restore": _Action("supervisor", N_("The wallet is restored.")),
    "identify": _Action("supervisor", N_("The wallet is identified: it is Premium now.")),
}


@router.post("/customers/{customer_id}/lines/{msisdn}/{action}")
def line_action(  # noqa: PLR0917 - FastAPI passes the path and the form by name
    request: Request,
    uow: Uow,
    customer_id: CustomerId,
    msisdn: Msisdn,
    action: Annotated[str, Path(pattern="^(block|unblock)$")],
    reason: Reason = "",
    kind: Annotated[Literal["lost", "administrative"], Form()] = "lost",
) -> Response:
    """Block (a lost phone, or administratively) or unblock one of the customer's lines."""
    member = staff_member(request, uow, role=LINE_ACTIONS[action].role)
    customer = identity.get_customer(uow, customer_id=customer_id)
    for section in ("profile", "lines"):  # the action, and the 360 it answers with
        privacy.require_access(uow, staff_id=member.staff_id, customer_id=customer.id, section=section)
    if msisdn not in _line_numbers(uow, customer):
        raise NotFoundError(f"no line {msisdn} of this customer")
    checked = privacy.checked_reason(reason)  # refused before anything changes
    if action == "block":
        lines.block(uow, msisdn=msisdn, reason=kind)
    else:
        lines.unblock(uow, msisdn=msisdn)
    what = f"line.{action}" + (f".{kind}" if action == "block" else "")
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=customer.id, action=what, subject=msisdn, reason=checked
    )
    uow.commit()
    return _customer_page(request, uow, member, customer, done=LINE_ACTIONS[action].done)


@router.post("/customers/{customer_id}/wallets/{phone}/{action}")
def wallet_action(  # noqa: PLR0917 - FastAPI passes the path and the form by name
    request: Request,
    uow: Uow,
    customer_id: CustomerId,
    phone: Msisdn,
    action: Annotated[str, Path(pattern="^(lost|freeze|restore|identify)$")],
    reason: Reason = "",
    document: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """A lost phone's block, a freeze, a restore, an identification (Light → Premium) of the
    customer's wallet: supervisors and admins."""
    member = staff_member(request, uow, role=WALLET_ACTIONS[action].role)
    customer = identity.get_customer(uow, customer_id=customer_id)
    for section in ("profile", "wallets"):  # the action, and the 360 it answers with
        privacy.require_access(uow, staff_id=member.staff_id, customer_id=customer.id, section=section)
    wallet = next((w for w in _wallets(uow, customer) if w.phone == phone), None)
    if wallet is None:
        raise NotFoundError(f"no wallet {phone} of this customer")
    checked = privacy.checked_reason(reason)
    if action == "lost":
        wallets.block(uow, phone=phone, reason=WalletBlockReason.LOST)
    elif action == "freeze":
        wallets.block(uow, phone=phone, reason=WalletBlockReason.FRAUD)
    elif action == "restore" and wallet.block_reason == WalletBlockReason.FRAUD:
        wallets.release(uow, phone=phone)
    elif action == "restore":
        wallets.restore(uow, phone=phone)
    else:
        wallets.identify(uow, phone=phone, document=document, staff=f"staff:{member.staff_id}")
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=customer.id, action=f"wallet.{action}", subject=phone, reason=checked
    )
    uow.commit()
    return _customer_page(request, uow, member, customer, done=WALLET_ACTIONS[action].done)


@router.get("/customers/{customer_id}/{rest:path}")
def back_to_customer(customer_id: CustomerId, rest: str) -> Response:
    """An action's address fetched again (a reload): back to the customer's reason form."""
    return RedirectResponse(f"/staff/customers/{customer_id}", status_code=303)


def _line_numbers(uow: UnitOfWork, customer: CustomerRead) -> list[str]:
    linked = {s.reference for s in customer.services if s.kind == ServiceKind.MOBILE}
    return [m for m in sorted({*linked, *customer.phones}) if lines.exists(uow, m)]


def _wallets(uow: UnitOfWork, customer: CustomerRead) -> list[WalletRead]:
    linked = {s.reference for s in customer.services if s.kind == ServiceKind.WALLET}
    return wallets.own_wallets(uow, customer_id=customer.id, phones=tuple(sorted({*linked, *customer.phones})))


def _customer_page(
    request: Request, uow: UnitOfWork, member: StaffPrincipal, customer: CustomerRead, *, done: str | None
) -> HTMLResponse:
    language = page_language(request)
    grant = privacy.require_access(uow, staff_id=member.staff_id, customer_id=customer.id, section="profile")
    sections = set(grant.sections)  # what the customer granted is all the page shows
    numbers = _line_numbers(uow, customer) if "lines" in sections else []
    own_wallets = _wallets(uow, customer) if "wallets" in sections else []
    home_accounts = home.accounts_of(uow, customer_id=customer.id) if "home" in sections else []
    context: dict[str, Any] = {
        "customer": customer,
        "grant": grant,
        "sections": sections,
        "section_names": access.SECTION_NAMES,
        "phones": [display_msisdn(p) for p in customer.phones],
        "lines": [_line(uow, m) for m in numbers],
        "wallets": [_wallet(uow, w) for w in own_wallets],
        "homes": [_home(a, language) for a in home_accounts],
        "sessions": identity.list_sessions(uow, customer_id=customer.id)[:RECENT],
        "audit": identity.audit_trail(uow, customer_id=customer.id, limit=RECENT * 2),
        "records": privacy.access_log(uow, customer_id=customer.id, limit=RECENT),
        "names": staff_service.staff_names(uow),
        "done": pages_of(request).gettext(language, done) if done else None,
        "states": STATES,
        "tiers": TIERS,
        "block_reasons": BLOCK_REASONS,
        "verification": labels.VERIFICATION,
        "audit_kinds": labels.AUDIT_KINDS,
        "receipt_kinds": labels.RECEIPT_KINDS,
        "home_states": labels.HOME_STATES,
        **(timeline.context(uow, customer.id) if "timeline" in sections else {}),  # the latest contacts (crm)
        **customer360.context(  # payments to the granted services, consents, devices, surveys
            uow,
            customer,
            lines=numbers,
            wallets=[w.phone for w in own_wallets],
            homes=[a.contract for a in home_accounts],
            with_surveys="timeline" in sections,
        ),
        "insights": _insights(uow, customer, numbers),  # segments, churn risk, the plan advisor (lines granted)
    }
    return page(request, "customer.html", member, **context)


def _insights(uow: UnitOfWork, customer: CustomerRead, numbers: list[str]) -> dict[str, Any]:
    """Segments, churn risk and the plan advisor's saving, from analytics (docs/analytics.md)."""
    advice = []
    for msisdn in numbers:
        try:
            found = analytics.advise(uow, msisdn=msisdn)
        except YagonaError:  # a line the advisor cannot price (no longer exists): the 360 shows the rest
            continue
        advice.append({"msisdn": display_msisdn(msisdn), "saving_tiyin": found.saving_tiyin,
                       "saving": Money(found.saving_tiyin), "cheapest": found.cheapest})  # fmt: skip
    return {
        "segments": analytics.segments_of(uow, customer_id=customer.id),
        "risk": analytics.churn_risk_of(uow, customer_id=customer.id),
        "advice": advice,
    }


def _line(uow: UnitOfWork, msisdn: str) -> dict[str, Any]:
    line = lines.state(uow, msisdn=msisdn)
    usage, _next = lines.usage_history(uow, msisdn=msisdn, limit=RECENT)
    return {
        "msisdn": msisdn,
        "number": display_msisdn(msisdn),
        "plan": line.plan,
        "status": line.status,
        "block_reason": line.block_reason,
        "balance": Money(line.balance_tiyin),
        "usage": [
            {"at": at, "kind": u.kind, "to": u.destination, "charged": Money(u.charged_tiyin)} for _id, at, u in usage
        ],
    }


def _wallet(uow: UnitOfWork, wallet: WalletRead) -> dict[str, Any]:
    receipts = wallets.receipts(uow, phone=wallet.phone, limit=RECENT).items
    return {
        "phone": wallet.phone,
        "number": display_msisdn(wallet.phone),
        "tier": wallet.tier.value,
        "state": wallet.state.value,
        "block_reason": wallet.block_reason.value if wallet.block_reason else None,
        "balance": Money(wallet.balance),
        "frozen": Money(wallet.frozen),
        "receipts": [
            {"number": r.number, "at": r.created_at, "kind": r.kind.value, "payee": r.payee, "total": Money(r.total)}
            for r in receipts
        ],
    }


def _home(account: HomeAccountState, language: str) -> dict[str, Any]:
    return {
        "contract": account.contract,
        "address": account.address,
        "state": account.state,
        "plan": catalogue.get_home_plan(account.plan).name.get(language),
        "balance": Money(account.balance_tiyin),
        "next_fee": Money(account.next_fee_tiyin),
        "next_charge_at": account.next_charge_at,
    }
