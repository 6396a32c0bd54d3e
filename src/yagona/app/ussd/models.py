"""The USSD channel's own tables: the gateways that may call it, the conversations in
progress, and the language of a phone that has no One ID profile to keep it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime


class UssdGateway(Base):
    """An operator's USSD centre (or an aggregator) allowed to call `POST /api/v1/ussd`: it
    sends HTTP Basic `name:key`. Only the key's SHA-256 is kept (the key is 32 random bytes:
    a slow hash would add nothing but latency to every page)."""

    __tablename__ = "ussd_gateway"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class UssdSession(Base):
    """One conversation of one phone through one gateway (`sessionId` is the gateway's). It
    holds where the phone is in the menu, never what was typed: a PIN passes through and is
    gone. `last_reply` answers a gateway's retry of the same request without acting twice."""

    __tablename__ = "ussd_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(40))
    session_ref: Mapped[str] = mapped_column(String(64))
    msisdn: Mapped[str] = mapped_column(String(12))
    service_code: Mapped[str] = mapped_column(String(20))
    inputs_seen: Mapped[int] = mapped_column(Integer)
    stack: Mapped[list[Any]] = mapped_column(JSON)  # the screens from the top: [[name, {args}], ...]
    page: Mapped[int] = mapped_column(Integer)
    last_reply: Mapped[str] = mapped_column(Text)
    recorded: Mapped[bool] = mapped_column(Boolean)  # its interaction is on the customer's timeline
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("gateway", "session_ref"),
        Index("ix_ussd_session_updated", "updated_at"),
    )


class UssdLanguage(Base):
    """The language a phone chose in the menu, when no One ID profile holds it."""

    __tablename__ = "ussd_language"

    msisdn: Mapped[str] = mapped_column(String(12), primary_key=True)
    language: Mapped[str] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
