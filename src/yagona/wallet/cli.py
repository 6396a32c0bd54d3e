"""`yagona wallet …`: the staff actions of the e-wallet (office identification, the
call-centre's block and restore, the operator's freeze, release and return)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from yagona.kernel.ids import new_id
from yagona.kernel.money import Money
from yagona.platform.cli import echo_json, environment, refusals_to_exit
from yagona.wallet import service
from yagona.wallet.schemas import BlockReason, WalletRead
from yagona.wallet.views import ReceiptView, WalletView

app = typer.Typer(help="The e-wallet: staff actions and reads.", no_args_is_help=True)
BirthDate = Annotated[str | None, typer.Option(help="YYYY-MM-DD, checked against registration.")]


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from error


def _show(wallet: WalletRead, as_json: bool) -> None:
    if as_json:
        echo_json(WalletView.of(wallet).model_dump(mode="json"))
        return
    reason = f" ({wallet.block_reason.value})" if wallet.block_reason else ""
    typer.echo(f"wallet {wallet.phone}: {wallet.tier.value}, {wallet.state.value}{reason}")
    typer.echo(f"  balance     {Money(wallet.balance)}")
    typer.echo(f"  available   {Money(wallet.available)}")
    if wallet.frozen:
        typer.echo(f"  frozen      {Money(wallet.frozen)}")
    typer.echo(f"  top-ups 30d {Money(wallet.topups_30d)}")


JsonFlag = Annotated[bool, typer.Option("--json")]


@app.command()
@refusals_to_exit
def show(ctx: typer.Context, phone: str, as_json: JsonFlag = False) -> None:
    """A wallet's tier, state, balance and month's top-ups."""
    with environment(ctx).unit_of_work() as uow:
        _show(service.get(uow, phone=phone), as_json)


@app.command()
@refusals_to_exit
def identify(
    ctx: typer.Context,
    phone: str,
    document: Annotated[str, typer.Option(help="The identity document's series and number.")],
    birth_date: BirthDate = None,
    staff: Annotated[str, typer.Option(help="Who checked the original document.")] = "office",
    as_json: JsonFlag = False,
) -> None:
    """Offer 4.2: the original document was checked in an office: Light → Premium."""
    with environment(ctx).unit_of_work() as uow:
        wallet = service.identify(uow, phone=phone, document=document, birth_date=_date(birth_date), staff=staff)
        uow.commit()
    _show(wallet, as_json)


@app.command()
@refusals_to_exit
def block(
    ctx: typer.Context,
    phone: str,
    reason: Annotated[BlockReason, typer.Option(help="lost (call-centre) or fraud (freeze the funds).")],
    as_json: JsonFlag = False,
) -> None:
    """Block for a lost phone (4.6.1 b) or freeze on suspicion of fraud (5.2.2)."""
    with environment(ctx).unit_of_work() as uow:
        wallet = service.block(uow, phone=phone, reason=reason)
        uow.commit()
    _show(wallet, as_json)


@app.command()
@refusals_to_exit
def restore(ctx: typer.Context, phone: str, birth_date: BirthDate = None, as_json: JsonFlag = False) -> None:
    """Restore a blocked wallet (a found phone; a cleared suspicion releases the funds)."""
    with environment(ctx).unit_of_work() as uow:
        wallet = service.restore(uow, phone=phone, birth_date=_date(birth_date))
        uow.commit()
    _show(wallet, as_json)


@app.command()
@refusals_to_exit
def release(ctx: typer.Context, phone: str, as_json: JsonFlag = False) -> None:
    """The suspicion was cleared: release the frozen funds and restore the wallet (4.6.4)."""
    with environment(ctx).unit_of_work() as uow:
        wallet = service.release(uow, phone=phone)
        uow.commit()
    _show(wallet, as_json)


@app.command("return-frozen")
@refusals_to_exit
def return_frozen(ctx: typer.Context, phone: str) -> None:
    """Return the frozen funds as the law says (5.2.2); the wallet is closed."""
    with environment(ctx).unit_of_work() as uow:
        receipt = service.return_frozen(uow, phone=phone, idempotency_key=new_id())
        uow.commit()
    typer.echo(receipt.as_text(), nl=False)


@app.command()
@refusals_to_exit
def receipt(ctx: typer.Context, phone: str, number: str, as_json: JsonFlag = False) -> None:
    """Print a receipt."""
    with environment(ctx).unit_of_work() as uow:
        found = service.receipt(uow, phone=phone, number=number)
    if as_json:
        echo_json(ReceiptView.of(found).model_dump(mode="json"))
        return
    typer.echo(found.as_text(), nl=False)


@app.command()
@refusals_to_exit
def providers(ctx: typer.Context) -> None:
    """The providers a wallet pays, with their account formats."""
    for provider in service.provider_catalogue().providers:
        typer.echo(f"{provider.id:15} {provider.kind:9} {provider.account_label:35} {provider.name}")
