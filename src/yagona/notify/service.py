"""Use cases of notify: queue a message in the caller's transaction, deliver after commit.

A message is written in the same unit of work as the change that caused it, so a
rolled-back sign-in sends nothing. Bodies are sealed (`Sealer`): a one-time code in
an SMS is never stored in clear nor logged.
"""

from __future__ import annotations

from collections.abc import Mapping

from yagona.kernel.ids import new_id
from yagona.notify import delivery, encoding, repository, rules
from yagona.notify.delivery import deliver_queued, record_receipt
from yagona.notify.errors import OutboxClosedError, SmsTooLongError, UnknownTemplateError
from yagona.notify.models import Message
from yagona.notify.schemas import Channel, Language, MessageRead
from yagona.notify.settings import NotifySettings
from yagona.platform.sealing import Sealer
from yagona.platform.uow import UnitOfWork

__all__ = ["deliver_queued", "has_push_device", "outbox", "queue", "record_receipt", "sealer_for"]

SEAL_PURPOSE = "notify.message"


def sealer_for(secret_key: str) -> Sealer:
    return Sealer(secret_key, SEAL_PURPOSE)


def queue(
    uow: UnitOfWork,
    *,
    channel: Channel,
    recipient: str,
    template: str,
    language: Language,
    params: Mapping[str, str],
    sealer: Sealer,
) -> str:
    """Queue a message; returns its id. Nothing is sent before the unit of work commits.
    An SMS is written as it will travel (`encoding.for_sms`); one needing more parts than
    `sms_max_parts` is refused (`sms_too_long`, with the count)."""
    if not rules.known(template):
        raise UnknownTemplateError(f"no template {template}", template=template)
    body = rules.render(template, language.value, params)
    sms_shape = None
    if channel is Channel.SMS:
        body = encoding.for_sms(body)
        sms_shape = encoding.shape(body)
        limit = _settings().sms_max_parts
        if sms_shape.parts > limit:
            raise SmsTooLongError(
                f"the SMS needs {sms_shape.parts} parts ({sms_shape.encoding}); at most {limit}",
                parts=sms_shape.parts,
                encoding=sms_shape.encoding,
                limit=limit,
            )
    message_id = new_id()
    repository.insert(
        uow.session,
        Message(
            id=message_id,
            channel=channel.value,
            recipient=recipient,
            template=template,
            language=language.value,
            body_sealed=sealer.seal(body.encode()),
            status="queued",
            created_at=uow.clock.now(),
            sent_at=None,
            urgent=1 if template in rules.URGENT else 0,
            encoding=sms_shape.encoding if sms_shape else None,
            parts=sms_shape.parts if sms_shape else None,
            attempts=0,
        ),
    )
    return message_id


def has_push_device(uow: UnitOfWork, *, customer_id: str) -> bool:
    """Whether a push to this customer would reach a device (they subscribed one): what a
    sender asks before it chooses `Channel.PUSH` (recipient: the customer's id)."""
    return bool(repository.subscriptions(uow.session, customer_id, limit=1))


def _settings() -> NotifySettings:
    try:
        return delivery.current().settings
    except RuntimeError:  # not wired (a tool without the composition root): the defaults
        return NotifySettings()


def outbox(uow: UnitOfWork, *, recipient: str, sealer: Sealer, env: str, limit: int = 20) -> list[MessageRead]:
    """The latest messages to `recipient`, opened: how a tester reads a code. Dev and test only."""
    if env not in ("dev", "test"):
        raise OutboxClosedError("the outbox can be read only in the dev and test environments")
    rows = repository.for_recipient(uow.session, recipient, limit=min(limit, uow.limits.page_size_max))
    return [
        MessageRead(
            id=row.id,
            channel=Channel(row.channel),
            recipient=row.recipient,
            template=row.template,
            language=Language(row.language),
            body=sealer.open(row.body_sealed).decode() if row.body_sealed else None,
            status=row.status,
            created_at=row.created_at,
            gateway_id=row.gateway_id,
            encoding=row.encoding,
            parts=row.parts,
            error=row.error,
        )
        for row in rows
    ]
