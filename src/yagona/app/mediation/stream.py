"""The usage stream (work-queue retention) and the rating workers' durable pull consumer."""

from __future__ import annotations

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
from nats.js.errors import NotFoundError

from yagona.app.mediation.settings import MediationSettings
from yagona.kernel.errors import UnavailableError
from yagona.platform.settings import Settings


def nats_url(settings: MediationSettings) -> str:
    url = settings.nats_url or Settings().bus.nats_url
    if url is None:
        raise UnavailableError("no JetStream configured (YAGONA_MEDIATION_NATS_URL or YAGONA_BUS__NATS_URL)")
    return url


async def connect(settings: MediationSettings) -> Client:
    url = nats_url(settings)
    try:
        return await nats.connect(url, connect_timeout=settings.timeout_s, max_reconnect_attempts=3)
    except Exception as error:
        raise UnavailableError(f"NATS at {url} is unreachable: {error}") from error


async def ensure_stream(js: JetStreamContext, settings: MediationSettings) -> None:
    """Create the stream when missing; an existing one is used as it is."""
    try:
        await js.stream_info(settings.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=settings.stream,
                subjects=[f"{settings.subject_prefix}.*"],
                retention=RetentionPolicy.WORK_QUEUE,
                duplicate_window=settings.duplicate_window_s,
            )
        )


async def ensure_consumer(js: JetStreamContext, settings: MediationSettings) -> None:
    """The one durable pull consumer the workers share. JetStream itself redelivers without
    limit; the worker terminates a record that failed it `max_deliveries` times."""
    await ensure_stream(js, settings)
    try:
        await js.consumer_info(settings.stream, settings.durable)
    except NotFoundError:
        await js.add_consumer(
            settings.stream,
            ConsumerConfig(
                durable_name=settings.durable,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=settings.ack_wait_s,
                max_deliver=-1,
                max_ack_pending=max(1_000, settings.batch_size * 16),
                filter_subject=f"{settings.subject_prefix}.*",
            ),
        )
