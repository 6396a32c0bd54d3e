"""Offers as records (issue 15.5): the nightly refresh makes a customer's next-best offer from
the store's segments — only with marketing consent, one open offer per line, none within the
cadence — publishes it, and the reminder engine sends it as a marketing SMS (consent asked at
send time). Accepting switches the line through lines; expiry closes it; the acceptance
figures count it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.factories.identity import context, customer
from tests.integration.test_analytics_advisor import _records
from tests.integration.test_reminders import run_jobs_until, texts
from yagona.analytics import service as analytics
from yagona.analytics.errors import OfferClosedError, OfferNotFoundError
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.loyalty import service as loyalty
from yagona.privacy import service as privacy

PHONE, OTHER = "998911000201", "998911000202"
DEPOSIT = Money.of_som(1_000_000)


@pytest.fixture(autouse=True)
def store(tmp_path: Path) -> Iterator[Path]:
    analytics.configure(AnalyticsSettings(directory=tmp_path / "store"))
    yield tmp_path / "store"
    analytics.configure(AnalyticsSettings())


def _overpayer(container: Container, phone: str, *, consent: bool) -> str:
    """A lider-pro line whose month of use would have cost less on lider-start, then 15 days
    silent: dormant in the store's lifecycle (at risk of leaving)."""
    with container.uow() as uow:
        holder = customer(uow, context(container.settings), phone, password=None)
        if consent:
            privacy.give_consent(uow, customer_id=holder.id, purpose="marketing", channel="portal")
        lines.connect(uow, msisdn=phone, plan_id="lider-pro", deposit=DEPOSIT)
        uow.commit()
    with container.uow() as uow:
        lines.rate_raw(uow, records=_records(phone, phone[-3:]))
        uow.commit()
    return holder.id


def _nightly(container: Container) -> analytics.Refreshed:
    with container.uow() as uow:
        done = analytics.refresh(uow)
        uow.commit()
    return done


def test_an_offer_is_made_with_consent_only_sent_by_sms_and_accepted_once(
    container: Container, clock: SimulatedClock
) -> None:
    consenting = _overpayer(container, PHONE, consent=True)
    refusing = _overpayer(container, OTHER, consent=False)
    clock.advance_to(clock.now() + timedelta(days=15))
    assert _nightly(container).offers == 1
    # The reminder engine sends it (marketing: consent asked at send time), not to the other.
    effects = run_jobs_until(container, clock, clock.now() + timedelta(days=1))
    with container.uow() as uow:
        assert analytics.offers_of(uow, customer_id=refusing) == []
        [offer] = analytics.offers_of(uow, customer_id=consenting)
        uow.commit()
    assert (offer.kind, offer.msisdn, offer.plan, offer.status) == ("cheaper_plan", PHONE, "lider-start", "shown")
    assert offer.saving_tiyin > 0 and "dormant" in offer.segments and offer.channel == "sms"
    assert [(e["rule"], e["kind"], e["phone"]) for e in effects if e["rule"] == "offer-made"] == [
        ("offer-made", "reminder", PHONE)
    ]
    [sms] = [text for text in texts(container, PHONE) if "/offers" in text]
    assert sms == "+998 91 100 02 01: siz uchun maxsus taklif tayyor. Batafsil: /offers"
    assert [t for t in texts(container, OTHER) if "/offers" in t] == []
    # No second offer on the line while one is open, nor within the cadence.
    assert _nightly(container).offers == 0
    with container.uow() as uow:
        done = analytics.accept(uow, customer_id=consenting, offer_id=offer.id)
        uow.commit()
    with container.uow() as uow:
        again = analytics.accept(uow, customer_id=consenting, offer_id=offer.id)  # a double submit
        uow.commit()
        assert lines.state(uow, msisdn=PHONE).plan == "lider-start"
        with pytest.raises(OfferNotFoundError):
            analytics.offer_of(uow, customer_id=refusing, offer_id=offer.id)
        figures = analytics.acceptance(uow, start=date(2026, 3, 1), end=date(2026, 4, 30))
    assert done.status == again.status == "accepted"
    kinds = {rate.group: (rate.made, rate.shown, rate.accepted, rate.rate) for rate in figures.by_kind}
    assert kinds["cheaper_plan"] == (1, 1, 1, 1.0) and kinds["bundle"] == (0, 0, 0, 0.0)
    assert {rate.group for rate in figures.by_segment} >= {"dormant"}
    assert _nightly(container).offers == 0  # within the cadence of the last offer


def test_withdrawn_consent_shows_nothing_and_sends_nothing(container: Container, clock: SimulatedClock) -> None:
    holder = _overpayer(container, PHONE, consent=True)
    clock.advance_to(clock.now() + timedelta(days=15))
    assert _nightly(container).offers == 1  # made, and its reminder armed (consent given then)
    with container.uow() as uow:
        [offer] = analytics.offers_of(uow, customer_id=holder, channel="sms")
        privacy.withdraw_consent(uow, customer_id=holder, purpose="marketing", channel="portal")
        uow.commit()
    effects = run_jobs_until(container, clock, clock.now() + timedelta(days=1))
    assert [(e["rule"], e["kind"], e.get("reason")) for e in effects if e["rule"] == "offer-made"] == [
        ("offer-made", "reminder_skipped", "no_consent"),
    ]
    with container.uow() as uow:
        assert analytics.open_offer(uow, customer_id=holder) is None
        assert analytics.offers_of(uow, customer_id=holder) == []  # the open offer is not listed
        with pytest.raises(OfferClosedError):
            analytics.accept(uow, customer_id=holder, offer_id=offer.id)
    with container.uow() as uow:
        assert lines.state(uow, msisdn=PHONE).plan == "lider-pro"
    assert _nightly(container).offers == 0  # no consent, no new offer either


def test_an_unanswered_offer_expires_and_cannot_be_accepted(container: Container, clock: SimulatedClock) -> None:
    holder = _overpayer(container, PHONE, consent=True)
    clock.advance_to(clock.now() + timedelta(days=15))
    assert _nightly(container).offers == 1
    clock.advance_to(clock.now() + timedelta(days=15))  # past the 14 days of the offers file
    with container.uow() as uow:
        [offer] = analytics.offers_of(uow, customer_id=holder)
        uow.commit()
    assert offer.status == "expired"
    with container.uow() as uow, pytest.raises(OfferClosedError):
        analytics.accept(uow, customer_id=holder, offer_id=offer.id)
    with container.uow() as uow:
        assert lines.state(uow, msisdn=PHONE).plan == "lider-pro"
        assert analytics.open_offer(uow, customer_id=holder) is None


def test_a_loyal_member_is_offered_the_fee_discount_and_accepting_redeems_it(
    container: Container, clock: SimulatedClock
) -> None:
    """Three top-ups in the month and no use beyond the bundle: `loyal` (or `champions`); the discount costs the
    reward's points, so it is offered only to a member who holds them, and accepting redeems it."""
    with container.uow() as uow:
        holder = customer(uow, context(container.settings), PHONE, password=None)
        privacy.give_consent(uow, customer_id=holder.id, purpose="marketing", channel="portal")
        lines.connect(uow, msisdn=PHONE, plan_id="lider-pro", deposit=DEPOSIT)
        uow.commit()
    for n in range(3):
        with container.uow() as uow:
            lines.top_up(uow, msisdn=PHONE, amount=Money.of_som(20_000), idempotency_key=f"loyal-{n}")
            uow.commit()
        clock.advance_to(clock.now() + timedelta(days=2))
    assert _nightly(container).offers == 0  # loyal, but short of the reward's points
    with container.uow() as uow:
        assert {"loyal", "champions"} & set(analytics.segments_of(uow, customer_id=holder.id))
        assert loyalty.state(uow, phone=PHONE).points < 120
    with container.uow() as uow:
        loyalty.adjust(uow, phone=PHONE, points=200, reason="goodwill for the test", staff="test-supervisor")
        uow.commit()
    clock.advance_to(clock.now() + timedelta(days=31))
    assert _nightly(container).offers == 0  # a month on, the top-ups are older than 30 days: not loyal
    with container.uow() as uow:
        for n in range(3):
            lines.top_up(uow, msisdn=PHONE, amount=Money.of_som(20_000), idempotency_key=f"again-{n}")
        uow.commit()
    clock.advance_to(clock.now() + timedelta(days=1))
    assert _nightly(container).offers == 1
    with container.uow() as uow:
        [offer] = analytics.offers_of(uow, customer_id=holder.id)
        fee = lines.state(uow, msisdn=PHONE).next_charge_tiyin or 0
        held = loyalty.state(uow, phone=PHONE).points
        done = analytics.accept(uow, customer_id=holder.id, offer_id=offer.id)
        uow.commit()
    assert (offer.kind, offer.reward, offer.saving_tiyin) == ("loyalty_discount", "fee-discount-10", fee // 10)
    assert {"loyal", "champions"} & set(offer.segments) and done.status == "accepted"
    with container.uow() as uow:
        assert loyalty.state(uow, phone=PHONE).points == held - 120  # the reward's price, paid once
        assert [h.kind for h in loyalty.history(uow, phone=PHONE)].count("redeem") == 1
