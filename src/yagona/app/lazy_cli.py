"""Sub-commands of `yagona` imported on use: `yagona --help` lists them from this table
without importing a domain, and `yagona ledger …` imports the ledger's CLI alone.

A sub-app named here is loaded by `load(name)` when its command runs (or its own help is
asked); the one-line help shown in `yagona --help` is the table's. Sub-apps added with
`app.add_typer` still work, imported eagerly as before."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

# name → (module, attribute, one-line help); the help repeats the sub-app's own.
LAZY: dict[str, tuple[str, str, str]] = {
    "ledger": ("yagona.ledger.cli", "app", "The double-entry ledger."),
    "bench": ("yagona.app.bench.cli", "app", "Benchmarks (not tests): figures for docs/benchmarks.md."),
    "catalog": ("yagona.catalog.cli", "app", "The tariff catalogue: every plan of the price list."),
    "identity": ("yagona.identity.cli", "app", "One ID: customers and their credentials."),
    "oidc": ("yagona.identity.cli", "oidc_app", "The OpenID Connect provider: clients and signing keys."),
    "staff": ("yagona.identity.cli", "staff_app", "Staff of the console (/staff): accounts and roles."),
    "notify": ("yagona.notify.cli", "app", "Outgoing SMS, e-mail and web push."),
    "lines": ("yagona.lines.cli", "app", "Mobile lines."),
    "wallet": ("yagona.wallet.cli", "app", "The e-wallet: staff actions and reads."),
    "payments": ("yagona.payments.cli", "app", "Online payments in (Payme, Click): statements and reconciliation."),
    "loyalty": ("yagona.loyalty.cli", "app", "The bonus programme."),
    "telegram": ("yagona.app.telegram.cli", "app", "The Telegram bot: its webhook."),
    "ussd": ("yagona.app.ussd.cli", "app", "USSD: the gateways, and a phone dialling codes in the terminal."),
    "mediation": (
        "yagona.app.mediation.cli",
        "app",
        "CDR files through JetStream to the rating workers.",
    ),
    "privacy": ("yagona.app.privacy_cli", "app", "Privacy: documents, disclosures, holds, erasure, retention, keys."),
    "crm": ("yagona.crm.cli", "app", "Customer care: the tickets' business calendar and queues."),
    "analytics": ("yagona.analytics.cli", "app", "Analytics: the de-identified store, segments, churn risk."),
}
# What to do to a sub-app once imported (cli.py adds commands that need the composition root).
ON_LOAD: dict[str, Callable[[typer.Typer], None]] = {}


class LazyGroup(TyperGroup):
    """The root group: its lazy sub-commands are imported when run, not when listed."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return [*names, *(name for name in LAZY if name not in names)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in LAZY:
            if self._listing:  # the root's help: the table's line, nothing imported
                return TyperGroup(name=cmd_name, help=LAZY[cmd_name][2])
            self.commands[cmd_name] = load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def load(name: str) -> Any:
    module, attribute, _ = LAZY[name]
    sub: typer.Typer = getattr(import_module(module), attribute)
    if name in ON_LOAD:
        ON_LOAD.pop(name)(sub)
    group = typer.main.get_group(sub)
    group.name = name
    return group
