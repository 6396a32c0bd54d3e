"""Analytics' own settings (`YAGONA_ANALYTICS_` prefix): where the de-identified store lives.
`platform/settings.py` knows no domain, so they live here; the composition root reads them."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyticsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAGONA_ANALYTICS_", extra="ignore", frozen=True)

    # The Parquet files (events/day=YYYY-MM-DD/…) and the trained model.
    directory: Path = Path("var/analytics")
    export_batch: int = Field(default=50_000, ge=100, le=1_000_000)
    # What "churned" means for the model: no use in this many days after the snapshot.
    churn_horizon_days: int = Field(default=30, ge=3, le=180)
    nightly_hour: int = Field(default=3, ge=0, le=23)  # Tashkent time of the nightly refresh
