"""Requests for the call-centre: a person to call or write back. They are tickets now
(`tickets`); the names callers know stay here."""

from __future__ import annotations

from yagona.crm.service.ticket_work import close_request, contact_requests
from yagona.crm.service.tickets import open_request

__all__ = ["close_request", "contact_requests", "open_request"]
