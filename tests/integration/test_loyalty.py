"""The bonus programme on real databases: points from the events lines and wallet publish,
once per event, tiers, expiry, take-backs, rewards on a line, and two redemptions of the
same points at once (one wins)."""

from __future__ import annotations

from tests.factories.lines import connect
from yagona.app.bootstrap import Container
from yagona.ledger import service as ledger
from yagona.lines import service as lines
from yagona.loyalty import service as loyalty
from yagona.loyalty.schemas import LoyaltyState

PHONE = "998901000001"


def _state(container: Container, phone: str = PHONE) -> LoyaltyState:
    with container.uow() as uow:
        return loyalty.state(uow, phone=phone)


def test_a_line_s_first_fee_earns_points_with_its_carry(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, PHONE, plan="lider-start", deposit_som=100_000)
        uow.commit()
    fee = 0
    with container.uow() as uow:
        fee = ledger.posted_balance(uow, code=lines.account_of(PHONE))
    state = _state(container)
    spent = 100_000_00 - fee  # the first fee, in tiyin
    assert state.points == spent // 100_000
    assert state.carry_tiyin == spent % 100_000
    assert state.spend_90d_tiyin == spent
    assert [lot.points for lot in state.lots] == [state.points]
