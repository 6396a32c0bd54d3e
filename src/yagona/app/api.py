"""The HTTP application: health, readiness, OpenAPI, and every domain's router."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from swagger_ui_bundle import swagger_ui_path

import yagona
from yagona.analytics import web as analytics_web
from yagona.app import me, metrics, mydata, problems, shell, staff
from yagona.app.account import web as account_web
from yagona.app.bootstrap import Container, bootstrap, payments_config
from yagona.app.openapi import install_openapi
from yagona.app.staff import offers as staff_offers
from yagona.app.telegram import routes as telegram_routes
from yagona.app.ussd import routes as ussd_routes
from yagona.catalog import routes as catalog_routes
from yagona.catalog import web as catalog_web
from yagona.crm import feedback_routes as crm_feedback_routes
from yagona.crm import feedback_web as crm_feedback_web
from yagona.crm import routes as crm_routes
from yagona.crm import web as crm_web
from yagona.crm import web_help as crm_help_web
from yagona.crm.settings import CrmSettings
from yagona.home import routes as home_routes
from yagona.home import web as home_web
from yagona.identity import routes as identity_routes
from yagona.identity import service as identity_service
from yagona.identity import web as identity_web
from yagona.ledger import routes as ledger_routes
from yagona.lines import routes as lines_routes
from yagona.lines import web as lines_web
from yagona.loyalty import routes as loyalty_routes
from yagona.loyalty import web as loyalty_web
from yagona.notify import routes as notify_routes
from yagona.notify import web as notify_web
from yagona.payments import routes as payments_routes
from yagona.payments import web as payments_web
from yagona.platform.api import ApiRead
from yagona.platform.settings import Settings
from yagona.platform.web import RequestContextMiddleware
from yagona.reminders import web as reminders_web
from yagona.wallet import routes as wallet_routes
from yagona.wallet import service as wallet_service
from yagona.wallet import web as wallet_web


class Readiness(ApiRead):
    status: Literal["ready"]
    database: str


def create_app(settings: Settings, *, container: Container | None = None) -> FastAPI:
    container = container or bootstrap(settings)
    app = FastAPI(
        title="Yagona",
        version=yagona.__version__,
        summary="One ID, prepaid lines, e-wallet and more for a telecom operator",
        # Off in production unless configured on (settings.http.docs).
        openapi_url="/api/openapi.json" if settings.docs_enabled else None,
        docs_url=None,  # our own page below: Swagger UI from our files, no CDN
        redoc_url=None,
    )
    app.state.container = container
    app.state.uow_factory = container.uow
    app.state.staff_api_key = settings.staff_api_key.get_secret_value() if settings.staff_api_key else None
    problems.install(app)
    install_openapi(app)
    metrics.install(app, metrics_token=settings.metrics_token.get_secret_value() if settings.metrics_token else None)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.http.max_body_bytes)

    _mount_first(app, settings)

    _install_ops(app, container)
    app.include_router(catalog_routes.router)
    app.include_router(catalog_routes.tmf_router)
    app.include_router(ledger_routes.router)
    app.state.customer_resolver = identity_service.resolve_principal
    app.state.language_keeper = identity_service.set_language  # a page's language choice, kept in the profile
    app.state.identity = identity_service.make_context(
        secret_key=settings.secret_key.get_secret_value(), env=settings.env
    )
    app.include_router(identity_routes.auth_router)
    app.include_router(identity_routes.oidc_router)
    if settings.simulators_enabled:  # never mounted in prod (Settings refuses them there)
        app.include_router(identity_routes.simulator_router)
        app.include_router(wallet_routes.biller_simulator_router)
    app.include_router(lines_routes.router)
    app.include_router(lines_routes.usage_router)
    app.state.usage_group = lines_routes.usage_group(
        container.uow, settings.group_commit, on_group=metrics.GROUP_SIZES.observe
    )
    app.include_router(lines_routes.me_router)
    app.include_router(wallet_routes.router)
    app.state.wallet_orders = wallet_service.WalletOrders(  # transfers and payments: group commit
        container.uow, settings.group_commit, on_group=metrics.GROUP_SIZES.observe
    )
    app.state.payments = payments_config(settings)
    app.include_router(payments_routes.router)
    app.include_router(me.router)
    app.include_router(home_routes.router)
    app.include_router(home_routes.me_router)
    app.include_router(loyalty_routes.me_router)
    app.include_router(loyalty_routes.staff_router)
    app.include_router(ussd_routes.router)  # the USSD gateway (HTTP Basic per gateway)
    app.include_router(identity_web.router)  # the pages: sign in, sign up, sign out
    app.include_router(lines_web.router)
    app.include_router(catalog_web.router)  # /plans: the open catalogue, public
    app.include_router(wallet_web.router)
    staff.install(app)  # the staff console (/staff)
    app.include_router(payments_web.router)  # /pay/line/…, /pay/wallet/…
    app.include_router(home_web.router)
    app.include_router(loyalty_web.router)
    telegram_routes.install(app, settings)  # the bot's webhook: on with YAGONA_TELEGRAM_BOT_TOKEN
    _mount_notify(app, settings)
    _mount_customer_care(app)
    account_web.install(app)  # /account/privacy and the documents' re-acceptance gate
    shell.install(app, settings)  # the portal's pages: after every API router, so its 404 page sees them all
    return app


def _mount_first(app: FastAPI, settings: Settings) -> None:
    """Before every domain's router: the usage records of mediation, one per request and the
    busiest route (each router before it cost every record a scan; its place in the OpenAPI
    document stays where `create_app` includes it, this copy is left out of the document);
    then the API explorer, when on."""
    app.include_router(lines_routes.usage_router, include_in_schema=False)
    if settings.docs_enabled:
        _mount_docs(app)


def _mount_customer_care(app: FastAPI) -> None:
    """Reminders, the customer's timeline, tickets (by e-mail too, when configured), feedback,
    the help assistant and the customer's own data."""
    inbound_key = CrmSettings().inbound_email_key
    app.state.crm_inbound_email_key = inbound_key.get_secret_value() if inbound_key else None
    for router in (
        reminders_web.router,  # /account/reminders
        crm_routes.me_router,  # /api/v1/me/interactions: the customer's own timeline
        crm_web.router,  # /account/history
        crm_routes.tickets_router,  # /api/v1/me/tickets: the customer's requests and complaints
        crm_web.requests_router,  # /account/requests
        crm_routes.email_router,  # tickets by e-mail, from the mail provider (signed)
        crm_help_web.router,  # /help: the help assistant, for anyone
        mydata.router,  # /api/v1/me/personal-data: the customer's own data
        mydata.pages,  # /account/data
        crm_feedback_routes.staff_router,  # feedback scores (staff key)
        crm_feedback_web.router,  # /feedback/{token}: a survey's link, no sign-in
        analytics_web.router,  # /offers: the customer's next-best offers
        staff_offers.router,  # /staff/analytics/offers: offer acceptance (supervisors)
    ):
        app.include_router(router)


def _install_ops(app: FastAPI, container: Container) -> None:
    """/health and /ready, for load balancers and orchestrators: open to anyone."""

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok", "version": yagona.__version__}

    @app.get(
        "/ready",
        tags=["ops"],
        response_model=Readiness,
        responses={503: {"description": "the database does not answer (`unavailable`)"}},
    )
    def ready() -> Readiness | JSONResponse:
        """The process can serve: its database answers."""
        try:
            with container.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            return problems.problem(503, "unavailable", f"database unreachable: {type(error).__name__}")
        return Readiness(status="ready", database=container.engine.dialect.name)


STATIC = Path(__file__).parent / "static"


def _mount_notify(app: FastAPI, settings: Settings) -> None:
    """Notify: the SMS gateway's delivery receipts, the customer's push devices (API and
    /account/notifications), and in dev and test the gateway's stand-in (/eskiz-simulator)."""
    app.include_router(notify_routes.callback_router)
    app.include_router(notify_routes.me_router)
    app.include_router(notify_web.router)
    if settings.simulators_enabled:  # never mounted in prod (Settings refuses them there)
        app.include_router(notify_routes.simulator_router)


def _mount_docs(app: FastAPI) -> None:
    """/api/docs: the vendored Swagger UI (swagger-ui-bundle) and our own page and script."""
    app.mount("/api/docs/ui", StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    app.mount("/api/docs/static", StaticFiles(directory=str(STATIC)), name="docs-static")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html", media_type="text/html")


def create_app_from_environment() -> FastAPI:
    """The app of one server worker process, configured from the environment."""
    return ready_to_serve(create_app(Settings()))


def ready_to_serve(app: FastAPI) -> FastAPI:
    """`app`, about to be served for the rest of the process: what the imports and the app
    built (~200 000 objects: routes, schemas, models, validators) lives as long, and is moved out
    of the cyclic collector's way (`gc.freeze`) — its full collections otherwise walk all of
    it: 0.1-0.2 s of CPU, and of pause, each here."""
    gc.collect()
    gc.freeze()
    return app
