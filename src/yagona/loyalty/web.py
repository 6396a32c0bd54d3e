"""The bonus programme's page (`/points`): the signed-in customer's points, tier and what the
next tier needs, lots expiring soon, the rewards to redeem (a form per reward and line) and
the history. It calls the same `service` as `/api/v1/me/loyalty` and holds no rule; a
refusal is a page in the visitor's language and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yagona.kernel.errors import ForbiddenError, YagonaError
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.lines import service as lines
from yagona.loyalty import service
from yagona.platform import i18n
from yagona.platform.auth import Principal, require_own_line, session_customer
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render, render_refusal
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = page_router(prefix="/points")

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
EXPIRING_SOON = timedelta(days=30)
HISTORY = 20

TIERS = {"bronze": N_("Bronze"), "silver": N_("Silver"), "gold": N_("Gold")}
ENTRY_KINDS = {
    "earn": N_("Earned"),
    "bonus": N_("Bonus for a new service"),
    "redeem": N_("Exchanged for a reward"),
    "expire": N_("Expired"),
    "take_back": N_("Taken back (refund)"),
    "adjust": N_("Adjusted by the operator"),
}
REWARDS = {
    "data-1gb": N_("1 GB of internet for 30 days"),
    "minutes-100": N_("100 minutes to Uzbek numbers for 30 days"),
    "fee-discount-10": N_("10 percent off the next monthly fee"),
}


def _phone(uow: UnitOfWork, principal: Principal) -> str | None:
    return service.member_phone(uow, phones=principal.phones)


@router.get("")
def points_page(request: Request, uow: Uow) -> Response:
    """The customer's points; signed out: the sign-in page, then back here."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse("/login?next=/points", status_code=303)
    phone = _phone(uow, principal)
    if phone is None:
        return render(request, "loyalty/points.html", state=None)
    state = service.state(uow, phone=phone)
    soon = uow.clock.now() + EXPIRING_SOON
    own_lines = [m for m in sorted({*principal.lines, *principal.phones}) if lines.exists(uow, m)]
    return render(
        request,
        "loyalty/points.html",
        state=state,
        tier=TIERS.get(state.tier, state.tier),
        next_tier=TIERS.get(state.next_tier.tier, state.next_tier.tier) if state.next_tier else None,
        spend_needed=Money(state.next_tier.spend_needed_tiyin) if state.next_tier else None,
        spend=Money(state.spend_90d_tiyin),
        expiring=[lot for lot in state.lots if lot.expires_at <= soon],
        rewards=[(r, REWARDS.get(r.id, r.id)) for r in service.rewards(uow)],
        lines=[(m, display_msisdn(m)) for m in own_lines],
        history=[(e, ENTRY_KINDS.get(e.kind, e.kind)) for e in service.history(uow, phone=phone, limit=HISTORY)],
    )


@router.post("/redemptions")
def redeem(
    request: Request,
    uow: Uow,
    reward: Annotated[str, Form(max_length=40)],
    msisdn: Annotated[str, Form(max_length=16)],
) -> Response:
    """Exchange points for a reward on one of the customer's own lines."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse("/login?next=/points", status_code=303)
    phone = _phone(uow, principal)
    language = page_language(request)
    try:
        if phone is None:
            raise ForbiddenError("the profile has no phone to hold points")
        require_own_line(principal, msisdn)
        done = service.redeem(uow, phone=phone, reward=reward, msisdn=msisdn)
        uow.commit()
    except YagonaError as error:
        return render_refusal(
            request, error.http_status, N_("The reward was not given"), i18n.localize(error, language)
        )
    response = RedirectResponse("/points", status_code=303)
    text = pages_of(request).gettext(language, N_("Done: %(reward)s on %(number)s.")) % {
        "reward": pages_of(request).gettext(language, REWARDS.get(done.reward, done.reward)),
        "number": display_msisdn(done.msisdn),
    }
    flash(request, response, text, level="success")
    return response
