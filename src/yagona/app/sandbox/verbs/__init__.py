"""The verbs of the scenario contract, each mapped onto the public services.

A handler gets the simulation and the validated fields, and returns what the step adds
to its record. It opens its own unit of work: a refusal rolls it back whole. One module
per family (`lines` with the clock's `advance`, `wallet`, `home`, `loyalty`, and the
sandbox's `reminders`); this table names them all.
"""

from __future__ import annotations

from collections.abc import Mapping

from yagona.app.sandbox import reminders as reminder_verbs
from yagona.app.sandbox.scenario import Field, VerbFields, amount, decimal, duration, flag, text, timestamp, whole
from yagona.app.sandbox.verbs.common import Handler, Simulation, at, som
from yagona.app.sandbox.verbs.home import (
    home_connect,
    home_identify,
    home_package,
    home_state,
    home_switch,
    home_topup,
    home_view,
)
from yagona.app.sandbox.verbs.lines import (
    advance,
    block_reason,
    line_adopt,
    line_block,
    line_call,
    line_connect,
    line_data,
    line_incoming_call,
    line_sms,
    line_state,
    line_switch,
    line_topup,
    line_unblock,
    line_ussd,
    line_view,
    usage_view,
)
from yagona.app.sandbox.verbs.loyalty import loyalty_redeem, loyalty_state, loyalty_view
from yagona.app.sandbox.verbs.wallet import (
    choice,
    iso_date,
    wallet_block,
    wallet_close,
    wallet_forget_pin,
    wallet_identify,
    wallet_pay,
    wallet_redeem,
    wallet_register,
    wallet_restore,
    wallet_state,
    wallet_topup,
    wallet_transfer,
)

__all__ = [
    "VERBS",
    "Handler",
    "Simulation",
    "advance",
    "at",
    "home_view",
    "line_view",
    "loyalty_view",
    "som",
    "usage_view",
]

MSISDN = Field(text)
PHONE = Field(text)
VERBS: Mapping[str, tuple[VerbFields, Handler]] = {
    "advance": ({"to": Field(timestamp, required=False), "by": Field(duration, required=False)}, advance),
    "line.connect": (
        {"msisdn": MSISDN, "plan": Field(text), "deposit": Field(amount), "region": Field(text, required=False)},
        line_connect,
    ),
    # Not in the shared contract: an existing subscriber of any plan (archive plans
    # included), brought over from the legacy billing with a balance. Documented in docs/sandbox.md.
    "line.adopt": ({"msisdn": MSISDN, "plan": Field(text), "balance": Field(amount)}, line_adopt),
    "line.topup": ({"msisdn": MSISDN, "amount": Field(amount)}, line_topup),
    "line.call": ({"msisdn": MSISDN, "to": Field(text), "seconds": Field(whole)}, line_call),
    "line.incoming_call": ({"msisdn": MSISDN, "from": Field(text), "seconds": Field(whole)}, line_incoming_call),
    "line.sms": ({"msisdn": MSISDN, "to": Field(text)}, line_sms),
    "line.data": (
        {
            "msisdn": MSISDN,
            "mb": Field(decimal),
            "tasix": Field(flag, required=False, default=False),
            # additions to the contract: where the traffic went (free resources, TAS-IX by address, VPN)
            "ip": Field(text, required=False),
            "host": Field(text, required=False),
            "vpn": Field(flag, required=False, default=False),
        },
        line_data,
    ),
    "line.ussd": ({"msisdn": MSISDN, "code": Field(text)}, line_ussd),
    "line.switch": ({"msisdn": MSISDN, "plan": Field(text)}, line_switch),
    "line.block": ({"msisdn": MSISDN, "reason": Field(block_reason)}, line_block),
    "line.unblock": ({"msisdn": MSISDN}, line_unblock),
    "line.state": ({"msisdn": MSISDN}, line_state),
    "wallet.register": (
        {
            "phone": PHONE,
            "pin": Field(text),
            "birth_date": Field(iso_date, required=False),
            "accept_offer": Field(flag, required=False, default=False),
            # an addition to the contract: the edition of the offer accepted (the one in force if omitted)
            "offer_version": Field(text, required=False),
        },
        wallet_register,
    ),
    "wallet.identify": ({"phone": PHONE, "document": Field(text)}, wallet_identify),
    "wallet.topup": (
        {"phone": PHONE, "amount": Field(amount), "source": Field(choice("card", "promo"))},
        wallet_topup,
    ),
    "wallet.transfer": ({"from": PHONE, "to": PHONE, "amount": Field(amount), "pin": Field(text)}, wallet_transfer),
    "wallet.pay": (
        {"phone": PHONE, "provider": Field(text), "account": Field(text), "amount": Field(amount), "pin": Field(text)},
        wallet_pay,
    ),
    # an addition to the contract: offer 5.4.2, the balance redeemed to a card (docs/wallet.md)
    "wallet.redeem": (
        {"phone": PHONE, "amount": Field(amount), "pin": Field(text), "card": Field(text, required=False)},
        wallet_redeem,
    ),
    "wallet.block": ({"phone": PHONE, "reason": Field(choice("lost", "fraud"))}, wallet_block),
    # `pin` (a new PIN after a forgotten one) is an addition to the contract: without it a
    # wallet restored after forget_pin could never pay again.
    "wallet.restore": (
        {"phone": PHONE, "birth_date": Field(iso_date, required=False), "pin": Field(text, required=False)},
        wallet_restore,
    ),
    "wallet.close": ({"phone": PHONE}, wallet_close),
    "wallet.forget_pin": ({"phone": PHONE}, wallet_forget_pin),
    "wallet.state": ({"phone": PHONE}, wallet_state),
    # Home internet and IPTV (issue 11): additions documented in docs/sandbox.md.
    "home.connect": (
        {
            "phone": PHONE,
            "address": Field(text),
            "plan": Field(text),
            "equipment": Field(text, required=False),
            "packages": Field(text, required=False),
            "deposit": Field(amount, required=False),
        },
        home_connect,
    ),
    "home.identify": ({"phone": PHONE}, home_identify),
    "home.topup": ({"contract": Field(text), "amount": Field(amount)}, home_topup),
    "home.switch": ({"contract": Field(text), "plan": Field(text)}, home_switch),
    "home.package": (
        {"contract": Field(text), "package": Field(text), "remove": Field(flag, required=False, default=False)},
        home_package,
    ),
    "home.state": ({"contract": Field(text)}, home_state),
    "loyalty.state": ({"phone": PHONE}, loyalty_state),
    "loyalty.redeem": (
        {"phone": PHONE, "reward": Field(text), "msisdn": Field(text, required=False)},
        loyalty_redeem,
    ),
    **reminder_verbs.VERBS,  # issue 13.6: customer.register, reminders.prefs
}
