"""One pass of the worker: due jobs run, queued SMS handed to the delivery adapter."""

from __future__ import annotations

from datetime import timedelta

from yagona.app import worker
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language


def test_a_worker_pass_runs_due_renewals_and_sends_queued_sms(container: Container, clock: SimulatedClock) -> None:
    from tests.factories.lines import connect

    sealer = notify.sealer_for(container.settings.secret_key.get_secret_value())
    with container.uow() as uow:
        connect(uow, deposit_som=100_000)
        notify.queue(
            uow,
            channel=Channel.SMS,
            recipient="998901000001",
            template="identity.otp",
            language=Language.UZ,
            params={"code": "123456", "minutes": "5"},
            sealer=sealer,
        )
        uow.commit()
    clock.advance_by(timedelta(days=31))
    report = worker.run_pass(container)
    assert (report.jobs, report.sent) == (1, 1)  # the renewal, and the SMS
    with container.uow() as uow:
        [message] = notify.outbox(uow, recipient="998901000001", sealer=sealer, env="test")
    assert message.status == "sent" and "123456" in (message.body or "")
    assert worker.run_pass(container).sent == 0  # sent once
