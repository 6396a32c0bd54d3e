"""Tickets written by e-mail to the operator's support address (issue 14.2: "an e-mail
address if configured"). The mail provider's inbound route posts each message; the sender's
address finds the customer by their One ID profile e-mail. A message from an address no
customer (or more than one) has opens nothing: the sender is not told who is a customer."""

from __future__ import annotations

from yagona.crm.rules import inbound_email
from yagona.crm.service.requests import open_request
from yagona.identity import service as identity
from yagona.platform.uow import UnitOfWork


def open_request_by_email(uow: UnitOfWork, *, sender: str, subject: str, body: str) -> str | None:
    """A ticket (channel `email`) for the customer the sender's address belongs to; its id, or
    None when the address is nobody's (or ambiguous) or the message is empty."""
    address = inbound_email.address_of(sender)
    if address is None or not (subject.strip() or body.strip()):
        return None
    customer = identity.find_customer_by_email(uow, email=address)
    if customer is None:
        return None
    summary = inbound_email.summary_of(subject, body)
    return open_request(
        uow,
        customer_id=customer.id,
        channel="email",
        summary=summary,
        body=body.strip() or summary,
        category="question",
    )
