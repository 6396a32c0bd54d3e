"""The CRM's own settings (`YAGONA_CRM_` prefix). `platform/settings.py` knows no domain, so
they live here; the composition root reads them once."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CrmSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAGONA_CRM_", extra="ignore", frozen=True)

    # Tickets by e-mail (docs/crm.md): the mail provider's webhook signing key (Mailgun's inbound
    # routes sign each message with it). None: no e-mail intake, the endpoint answers 404.
    inbound_email_key: SecretStr | None = None
