"""Use cases of notify: queue a message in the caller's transaction, deliver after commit.

A message is written in the same unit of work as the change that caused it, so a
rolled-back sign-in sends nothing. Bodies are sealed (`Sealer`): a one-time code in
an SMS is never stored in clear nor logged.
"""

from __future__ import annotations

from collections.abc import Mapping

from yagona.kernel.ids import new_id
from yagona.notify import repository, rules
from yagona.notify.errors import OutboxClosedError, UnknownTemplateError
from yagona.notify.models import Message
from yagona.notify.schemas import Channel, DeliveryAdapter, Language, MessageRead
from yagona.platform.sealing import Sealer
from yagona.platform.uow import UnitOfWork

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
    """Queue a message; returns its id. Nothing is sent before the unit of work commits."""
    if not rules.known(template):
        raise UnknownTemplateError(f"no template {template}", template=template)
    body = rules.render(template, language.value, params)
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
        ),
    )
    return message_id


def deliver_queued(uow: UnitOfWork, *, adapter: DeliveryAdapter, sealer: Sealer, keep_body: bool, limit: int) -> int:
    """Hand queued messages to the adapter; returns how many were sent. Bodies are wiped
    after delivery unless `keep_body` (development: testers read codes from the outbox)."""
    sent = 0
    for message in repository.queued(uow.session, limit=min(limit, uow.limits.batch_size_max)):
        body = sealer.open(message.body_sealed).decode() if message.body_sealed else ""
        adapter.send(channel=Channel(message.channel), recipient=message.recipient, body=body)
        repository.mark_sent(uow.session, message.id, now=uow.clock.now(), keep_body=keep_body)
        sent += 1
    return sent


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
        )
        for row in rows
    ]
