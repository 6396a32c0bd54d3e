"""`yagona notify outbox --phone P`: the messages sent to a phone (dev and test only);
`yagona notify vapid-keys`: a new key pair for web push, as settings to paste."""

from __future__ import annotations

from typing import Annotated

import typer

from yagona.kernel.phone import normalise_msisdn
from yagona.notify import service
from yagona.notify.push import new_vapid_keys
from yagona.platform.cli import echo_json, environment, refusals_to_exit
from yagona.platform.settings import Settings

app = typer.Typer(help="Outgoing SMS, push and e-mail.", no_args_is_help=True)


@app.command("outbox")
@refusals_to_exit
def outbox(
    ctx: typer.Context,
    phone: Annotated[str, typer.Option(help="The recipient, 998XXXXXXXXX.")],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 5,
) -> None:
    """Print the latest messages to a phone, newest first (how a tester reads a code)."""
    settings = Settings()
    with environment(ctx).unit_of_work() as uow:
        messages = service.outbox(
            uow,
            recipient=normalise_msisdn(phone) or phone,
            sealer=service.sealer_for(settings.secret_key.get_secret_value()),
            env=settings.env,
            limit=limit,
        )
    echo_json([m.model_dump(mode="json") for m in messages])


@app.command("vapid-keys")
def vapid_keys() -> None:
    """Print a new VAPID key pair (web push) as the two settings to set. Keep the private key
    secret; changing the pair makes every browser subscribe again."""
    private, public = new_vapid_keys()
    typer.echo(f"YAGONA_NOTIFY_VAPID_PRIVATE_KEY={private}")
    typer.echo(f"YAGONA_NOTIFY_VAPID_PUBLIC_KEY={public}")
