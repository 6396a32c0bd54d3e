"""`yagona identity …` and `yagona oidc …`: customers, relying parties, signing keys."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from pydantic import SecretStr

from yagona.identity import oidc, service
from yagona.identity.schemas import ClientCreate, CustomerCreate, Language
from yagona.identity.service import staff
from yagona.platform.cli import echo_json, environment, refusals_to_exit
from yagona.platform.settings import Settings

app = typer.Typer(help="One ID: customers and their credentials.", no_args_is_help=True)
customer_app = typer.Typer(help="Customers.", no_args_is_help=True)
app.add_typer(customer_app, name="customer")

staff_app = typer.Typer(help="Staff of the console (/staff): accounts and roles.", no_args_is_help=True)

oidc_app = typer.Typer(help="The OpenID Connect provider: clients and signing keys.", no_args_is_help=True)
client_app = typer.Typer(help="Relying parties.", no_args_is_help=True)
keys_app = typer.Typer(help="ID-token signing keys.", no_args_is_help=True)
oidc_app.add_typer(client_app, name="client")
oidc_app.add_typer(keys_app, name="keys")


def _context() -> service.IdentityContext:
    settings = Settings()
    return service.make_context(secret_key=settings.secret_key.get_secret_value(), env=settings.env)


@customer_app.command("add")
@refusals_to_exit
def customer_add(
    ctx: typer.Context,
    phone: Annotated[str, typer.Option(help="998XXXXXXXXX")],
    name: Annotated[str, typer.Option()],
    password: Annotated[
        str | None, typer.Option(help="Prefer YAGONA_PASSWORD in the environment.", envvar="YAGONA_PASSWORD")
    ] = None,
    accept_documents: Annotated[
        bool, typer.Option("--accept-documents", help="The customer accepted the offer and the privacy agreement.")
    ] = False,
    marketing_opt_in: Annotated[bool, typer.Option("--marketing-opt-in")] = False,
    language: Annotated[str, typer.Option()] = "uz",
) -> None:
    """Register a customer (staff tool and tests); prints the profile as JSON."""
    identity = _context()
    with environment(ctx).unit_of_work() as uow:
        customer = service.register_customer(
            uow,
            ctx=identity,
            customer=CustomerCreate(
                phone=phone,
                name=name,
                password=SecretStr(password) if password else None,
                accept_documents=accept_documents,
                marketing_opt_in=marketing_opt_in,
                language=Language(language),
            ),
        )
        uow.commit()
    echo_json(customer.model_dump(mode="json"))


@client_app.command("add")
@refusals_to_exit
def client_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option()],
    redirect_uri: Annotated[list[str], typer.Option(help="Exact redirect URI; repeat for more.")],
    post_logout_redirect_uri: Annotated[list[str] | None, typer.Option()] = None,
    first_party: Annotated[
        bool, typer.Option("--first-party", help="The operator's own app: no consent screen.")
    ] = False,
    public: Annotated[
        bool, typer.Option("--public", help="A mobile or browser app with no secret (PKCE only).")
    ] = False,
    client_credentials: Annotated[
        bool, typer.Option("--client-credentials", help="May use the client_credentials grant.")
    ] = False,
) -> None:
    """Register a relying party; prints JSON with `client_id` and (once) `client_secret`."""
    grant_types = ["authorization_code", "refresh_token"] + (["client_credentials"] if client_credentials else [])
    with environment(ctx).unit_of_work() as uow:
        created = oidc.add_client(
            uow,
            client=ClientCreate(
                name=name,
                redirect_uris=redirect_uri,
                post_logout_redirect_uris=post_logout_redirect_uri or [],
                first_party=first_party,
                public=public,
                grant_types=grant_types,
            ),
        )
        uow.commit()
    echo_json(
        {
            **created.client.model_dump(mode="json"),
            "client_secret": created.client_secret.get_secret_value() if created.client_secret else None,
        }
    )


@client_app.command("list")
@refusals_to_exit
def client_list(ctx: typer.Context) -> None:
    with environment(ctx).unit_of_work() as uow:
        clients = oidc.list_clients(uow)
    echo_json([c.model_dump(mode="json") for c in clients])


@client_app.command("remove")
@refusals_to_exit
def client_remove(ctx: typer.Context, client_id: str) -> None:
    with environment(ctx).unit_of_work() as uow:
        oidc.remove_client(uow, client_id=client_id)
        uow.commit()
    typer.echo(f"client {client_id} removed")


@keys_app.command("rotate")
@refusals_to_exit
def keys_rotate(ctx: typer.Context) -> None:
    """A new signing key; the previous one stays in the JWKS until the next rotation."""
    with environment(ctx).unit_of_work() as uow:
        row = oidc.rotate_signing_key(uow, ctx=_context())
        uow.commit()
    typer.echo(f"signing key {row.kid} is current")


@staff_app.command("add")
@refusals_to_exit
def staff_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin")],
    phone: Annotated[str | None, typer.Option(help="998XXXXXXXXX: the member signs in with it")] = None,
    login: Annotated[str | None, typer.Option(help="or a login name: 3 to 40 letters, digits, . _ -")] = None,
) -> None:
    """Add a member of staff; prints (once) the one-time password and the authenticator's
    secret and otpauth:// URI. Both are needed to sign in at /staff/login."""
    if (phone is None) == (login is None):
        raise typer.BadParameter("give --phone or --login", param_hint="--phone/--login")
    with environment(ctx).unit_of_work() as uow:
        created = staff.add_staff(uow, ctx=_context(), login=phone or login or "", name=name, role=role)
        uow.commit()
    echo_json(
        {
            **asdict(created.staff),
            "created_at": created.staff.created_at.isoformat(),
            "password": created.password,
            "totp_secret": created.totp_secret,
            "totp_uri": created.totp_uri,
        }
    )


@staff_app.command("list")
@refusals_to_exit
def staff_list(ctx: typer.Context) -> None:
    with environment(ctx).unit_of_work() as uow:
        members = staff.list_staff(uow)
    echo_json([{**asdict(m), "created_at": m.created_at.isoformat()} for m in members])


@staff_app.command("disable")
@refusals_to_exit
def staff_disable(ctx: typer.Context, login: Annotated[str, typer.Argument(help="the phone or login")]) -> None:
    """The member can no longer sign in; their console sessions end now."""
    with environment(ctx).unit_of_work() as uow:
        member = staff.disable_staff(uow, login=login)
        uow.commit()
    typer.echo(f"staff {member.login} disabled")
