"""Structured logging: JSON lines in production, readable lines in dev; request and job
ids ride along through context variables."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_KEYS = frozenset(
    {
        "password", "pin", "secret", "token", "otp", "code_verifier", "authorization", "cookie",
        "otp_code", "authorization_code", "totp", "access_token", "refresh_token", "id_token", "client_secret",
        "current_password", "new_password", "set-cookie",
    }
)  # fmt: skip


def _redact(_logger: object, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """No secret reaches a log line, whoever passes it."""
    for key in list(event):
        if key.lower() in _SECRET_KEYS:
            event[key] = "***"
    return event


def configure_logging(*, level: str = "INFO", json: bool = False) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level, force=True)
    # Alembic narrates every step at INFO; operators need only its warnings.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


bind_context = structlog.contextvars.bind_contextvars
clear_context = structlog.contextvars.clear_contextvars
bound_context = structlog.contextvars.bound_contextvars
