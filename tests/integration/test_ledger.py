"""The ledger on real SQLite and real PostgreSQL, through its service."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.factories.ledger import fund, open_account, open_world
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.ledger import service
from yagona.ledger.models import Transfer
from yagona.ledger.schemas import AccountCreate, TransferCreate, TransferKind, Unit


def _transfer_count(container: Container) -> int:
    with container.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Transfer)) or 0)


def _refused(container: Container, code: str, action) -> YagonaError:  # type: ignore[no-untyped-def]
    """Run `action(uow)`, expect the refusal `code`, and check nothing was written."""
    before = _transfer_count(container)
    with container.uow() as uow, pytest.raises(YagonaError) as caught:
        action(uow)
        uow.commit()
    assert caught.value.code == code, caught.value
    assert _transfer_count(container) == before
    return caught.value


def test_a_transfer_moves_money_between_two_accounts(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        open_account(uow, "wallet:bob")
        fund(uow, "wallet:alice", 150_000_00)
        moved = service.transfer(
            uow, debit="wallet:alice", credit="wallet:bob", amount=50_000_00, reason="transfer", idempotency_key="t-1"
        )
        uow.commit()
    assert (moved.debit, moved.credit, moved.amount, moved.kind) == ("wallet:alice", "wallet:bob", 50_000_00, "posted")
    with container.uow() as uow:
        assert service.get_account(uow, code="wallet:alice").balance == 100_000_00
        assert service.get_account(uow, code="wallet:bob").balance == 50_000_00
        assert service.get_account(uow, code="external:world").balance == -150_000_00


def test_opening_an_account_twice_returns_it_and_other_properties_are_refused(container: Container) -> None:
    with container.uow() as uow:
        first = open_account(uow, "wallet:alice")
        again = open_account(uow, "wallet:alice")
        uow.commit()
    assert first == again
    with container.uow() as uow, pytest.raises(YagonaError) as caught:
        open_account(uow, "wallet:alice", upper_limit=5)
    assert caught.value.code == "account_conflict"


def test_an_account_that_may_not_go_negative_refuses_an_overdraft(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        open_account(uow, "wallet:bob")
        fund(uow, "wallet:alice", 100)
        uow.commit()
    error = _refused(
        container,
        "insufficient_funds",
        lambda uow: service.transfer(
            uow, debit="wallet:alice", credit="wallet:bob", amount=101, reason="t", idempotency_key="k"
        ),
    )
    assert error.details["short_by"] == 1


def test_an_account_that_may_go_negative_goes_into_debt(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "line:998901000001", allow_negative=True)
        open_account(uow, "operator:revenue", allow_negative=True)
        service.transfer(
            uow,
            debit="line:998901000001",
            credit="operator:revenue",
            amount=35_000_00,
            reason="fee",
            idempotency_key="k",
        )
        uow.commit()
        assert service.get_account(uow, code="line:998901000001").balance == -35_000_00


def test_an_upper_limit_refuses_a_credit_over_it(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:light", upper_limit=1_225_000_00)
        fund(uow, "wallet:light", 1_225_000_00)
        uow.commit()
    _refused(container, "limit_exceeded", lambda uow: fund(uow, "wallet:light", 1))


def test_units_do_not_mix(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        open_account(uow, "points:alice", unit=Unit.POINTS, allow_negative=True)
        fund(uow, "wallet:alice", 100)
        uow.commit()
    _refused(
        container,
        "unit_mismatch",
        lambda uow: service.transfer(
            uow, debit="wallet:alice", credit="points:alice", amount=1, reason="t", idempotency_key="k"
        ),
    )


def test_an_unknown_account_is_not_found(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        uow.commit()
    _refused(
        container,
        "not_found",
        lambda uow: service.transfer(
            uow, debit="wallet:alice", credit="wallet:nobody", amount=1, reason="t", idempotency_key="k"
        ),
    )


def test_same_key_and_request_gives_the_same_answer_and_another_request_is_refused(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        open_account(uow, "wallet:bob")
        fund(uow, "wallet:alice", 1_000)
        uow.commit()

    def send(uow, amount: int):  # type: ignore[no-untyped-def]
        return service.transfer(
            uow, debit="wallet:alice", credit="wallet:bob", amount=amount, reason="t", idempotency_key="same"
        )

    with container.uow() as uow:
        first = send(uow, 300)
        uow.commit()
    with container.uow() as uow:
        second = send(uow, 300)
        uow.commit()
    assert first == second
    _refused(container, "idempotency_conflict", lambda uow: send(uow, 301))
    with container.uow() as uow:
        assert service.get_account(uow, code="wallet:bob").balance == 300


def test_linked_transfers_succeed_or_fail_together(container: Container) -> None:
    with container.uow() as uow:
        for code in ("wallet:alice", "provider:electricity", "operator:commission"):
            open_account(uow, code)
        fund(uow, "wallet:alice", 10_000)
        uow.commit()

    def pay(amount: int, commission: int):  # type: ignore[no-untyped-def]
        return lambda uow: service.post(
            uow,
            transfers=[
                TransferCreate(debit="wallet:alice", credit="provider:electricity", amount=amount, reason="payment"),
                TransferCreate(
                    debit="wallet:alice", credit="operator:commission", amount=commission, reason="commission"
                ),
            ],
            idempotency_key=f"pay-{amount}-{commission}",
        )

    # The payment alone fits, with its commission it does not: neither moves.
    _refused(container, "insufficient_funds", pay(9_900, 101))
    with container.uow() as uow:
        posted = pay(9_900, 100)(uow)
        uow.commit()
        assert [t.reason for t in posted] == ["payment", "commission"]
        assert posted[0].batch_id == posted[1].batch_id
        assert service.get_account(uow, code="wallet:alice").balance == 0


def test_a_pending_transfer_holds_funds_until_posted_or_voided(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        open_account(uow, "settlement:card", allow_negative=True)
        fund(uow, "wallet:alice", 1_000)
        hold = service.transfer(
            uow,
            debit="wallet:alice",
            credit="settlement:card",
            amount=700,
            reason="hold",
            idempotency_key="h",
            pending=True,
        )
        uow.commit()
        alice = service.get_account(uow, code="wallet:alice")
    assert (alice.balance, alice.available, alice.debits_pending) == (1_000, 300, 700)
    _refused(
        container,
        "insufficient_funds",
        lambda uow: service.transfer(
            uow, debit="wallet:alice", credit="settlement:card", amount=301, reason="t", idempotency_key="x"
        ),
    )
    with container.uow() as uow:
        posted = service.post_pending(uow, pending_id=hold.id, idempotency_key="post-h", amount=500)
        uow.commit()
        alice = service.get_account(uow, code="wallet:alice")
    assert (posted.kind, posted.amount, posted.pending_id) == (TransferKind.POST_PENDING, 500, hold.id)
    assert (alice.balance, alice.available, alice.debits_pending) == (500, 500, 0)
    _refused(
        container,
        "pending_resolved",
        lambda uow: service.void_pending(uow, pending_id=hold.id, idempotency_key="void-h"),
    )


def test_a_voided_pending_transfer_releases_everything(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        open_account(uow, "settlement:card", allow_negative=True)
        hold = service.transfer(
            uow,
            debit="settlement:card",
            credit="wallet:alice",
            amount=700,
            reason="card_topup",
            idempotency_key="h",
            pending=True,
        )
        uow.commit()
        assert service.get_account(uow, code="wallet:alice").balance == 0
        voided = service.void_pending(uow, pending_id=hold.id, idempotency_key="v")
        uow.commit()
        again = service.void_pending(uow, pending_id=hold.id, idempotency_key="v")
        alice = service.get_account(uow, code="wallet:alice")
    assert voided == again
    assert (alice.balance, alice.credits_pending) == (0, 0)


def test_history_pages_newest_first(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        for _ in range(7):
            fund(uow, "wallet:alice", 10)
        uow.commit()
        seen, cursor = [], None
        while True:
            page = service.history(uow, code="wallet:alice", cursor=cursor, limit=3)
            seen.extend(t.seq for t in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert len(seen) == 7
    assert seen == sorted(seen, reverse=True)
    with container.uow() as uow, pytest.raises(YagonaError) as caught:
        service.history(uow, code="wallet:alice", limit=100_000)
    assert caught.value.code == "invalid_request"


def test_a_hot_account_is_spread_over_shards_and_still_balances(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "operator:revenue:mobile", allow_negative=True, shards=8, kind="revenue")
        open_account(uow, "line:1", allow_negative=True)
        for i in range(40):
            service.transfer(
                uow, debit="line:1", credit="operator:revenue:mobile", amount=100, reason="fee", idempotency_key=f"f{i}"
            )
        uow.commit()
        revenue = service.get_account(uow, code="operator:revenue:mobile")
        used = uow.session.execute(text("SELECT COUNT(DISTINCT credit_shard) FROM ledger_transfer")).scalar_one()
    assert revenue.balance == 4_000
    assert used > 1


def test_a_sharded_account_cannot_carry_a_constraint() -> None:
    with pytest.raises(ValueError, match="sharded"):
        AccountCreate(code="operator:x", owner="op", kind="revenue", unit=Unit.SOM, shards=4)


def test_verify_finds_a_tampered_balance_and_a_broken_flag(container: Container) -> None:
    with container.uow() as uow:
        open_world(uow)
        open_account(uow, "wallet:alice")
        fund(uow, "wallet:alice", 500)
        uow.commit()
    with container.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE ledger_balance SET credits_posted = credits_posted - 600 WHERE shard = 0 AND account_id = (SELECT id FROM ledger_account WHERE code = 'wallet:alice')"
            )
        )
    with container.uow() as uow:
        report = service.verify(uow)
    checks = {p.check for p in report.problems}
    assert {"totals_match_transfers", "zero_sum", "not_negative"} <= checks
    # Put it back, so the fixture's own verification passes.
    with container.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE ledger_balance SET credits_posted = credits_posted + 600 WHERE shard = 0 AND account_id = (SELECT id FROM ledger_account WHERE code = 'wallet:alice')"
            )
        )


def test_a_batch_over_the_limit_is_refused(container: Container) -> None:
    limit = container.settings.limits.batch_size_max
    with container.uow() as uow:
        open_account(uow, "a", allow_negative=True)
        open_account(uow, "b")
        uow.commit()
    transfers = [TransferCreate(debit="a", credit="b", amount=1, reason="t")] * (limit + 1)
    _refused(container, "invalid_request", lambda uow: service.post(uow, transfers=transfers, idempotency_key="big"))


def test_opening_an_account_publishes_an_event_through_the_outbox(container: Container) -> None:
    seen = []
    container.bus.subscribe("ledger.account_opened", "test", seen.append)
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        assert seen == []  # nothing leaves before commit
        uow.commit()
    assert [e.payload["code"] for e in seen] == ["wallet:alice"]
    with container.uow() as uow:
        open_account(uow, "wallet:rolled-back")
        # no commit: the event never leaves
    assert len(seen) == 1


def test_a_lowered_ceiling_counts_at_once(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:light", upper_limit=1_000)
        fund(uow, "wallet:light", 600)
        lowered = service.set_upper_limit(uow, code="wallet:light", upper_limit=700)
        uow.commit()
    assert lowered.upper_limit == 700
    _refused(container, "limit_exceeded", lambda uow: fund(uow, "wallet:light", 101))
    with container.uow() as uow, pytest.raises(YagonaError) as caught:
        service.set_upper_limit(uow, code="wallet:light", upper_limit=500)  # below what it holds
    assert caught.value.code == "limit_exceeded"
