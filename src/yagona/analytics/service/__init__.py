"""Use cases of analytics, a module per room of work. Callers pass their unit of work; nothing
here commits. The store is de-identified: only pseudonyms (`privacy.service.pseudonym`) and
non-personal fields reach the Parquet files.

- `store`: export_batch, exported_up_to (the outbox → Parquet, by day)
- `features`: a line's features as of a day (DuckDB over the store)
- `segments`: segments_of (the 360), sizes, sizes_over_time
- `churn`: fit, evaluate, train_from_store, score_all, churn_risk_of (the 360)
- `advisor`: advise (the plan advisor), next_best_offer
- `kpi`: the KPI series of the dashboards (kpi, dashboard, csv_rows): `usage` (lines), `care` (CRM)
- `refresh`: the nightly job (export, scores), export_all
"""

from yagona.analytics.service._base import configure, connect, events_dir, has_events, model_path, settings
from yagona.analytics.service.advisor import Advice, Consent, Offer, advise, marketing_opt_in, next_best_offer
from yagona.analytics.service.churn import (
    Evaluation,
    Model,
    Risk,
    Trained,
    churn_risk_of,
    evaluate,
    fit,
    load_model,
    random_split,
    score_all,
    snapshots,
    train_from_store,
)
from yagona.analytics.service.features import MODEL_FEATURES, event_days, features
from yagona.analytics.service.kpi import KPIS, Series, check_range, csv_rows, dashboard, kpi
from yagona.analytics.service.refresh import NIGHTLY, Refreshed, export_all, refresh, schedule_nightly
from yagona.analytics.service.segments import groups, segments_of, sizes, sizes_over_time, subjects_of
from yagona.analytics.service.store import ExportBatch, export_batch, exported_up_to

__all__ = [
    "KPIS",
    "MODEL_FEATURES",
    "NIGHTLY",
    "Advice",
    "Consent",
    "Evaluation",
    "ExportBatch",
    "Model",
    "Offer",
    "Refreshed",
    "Risk",
    "Series",
    "Trained",
    "advise",
    "check_range",
    "churn_risk_of",
    "configure",
    "connect",
    "csv_rows",
    "dashboard",
    "evaluate",
    "event_days",
    "events_dir",
    "export_all",
    "export_batch",
    "exported_up_to",
    "features",
    "fit",
    "groups",
    "has_events",
    "kpi",
    "load_model",
    "marketing_opt_in",
    "model_path",
    "next_best_offer",
    "random_split",
    "refresh",
    "schedule_nightly",
    "score_all",
    "segments_of",
    "settings",
    "sizes",
    "sizes_over_time",
    "snapshots",
    "subjects_of",
    "train_from_store",
]
