"""Every table of every domain, for Alembic and the schema check."""

from __future__ import annotations

from sqlalchemy import MetaData


def all_metadata() -> MetaData:
    # Importing a domain's models registers its tables on the shared metadata.
    import yagona.analytics.models
    import yagona.app.telegram.models
    import yagona.app.ussd.models
    import yagona.crm.models
    import yagona.home.models
    import yagona.identity.models
    import yagona.ledger.models
    import yagona.lines.models
    import yagona.loyalty.models
    import yagona.notify.models
    import yagona.payments.models
    import yagona.platform.models
    import yagona.privacy.models
    import yagona.reminders.models
    import yagona.wallet.models  # noqa: F401
    from yagona.platform.db import metadata

    return metadata
