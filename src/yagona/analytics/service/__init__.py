"""Use cases of analytics, a module per room of work. Callers pass their unit of work; nothing
here commits. The store is de-identified: only pseudonyms (`privacy.service.pseudonym`) and
non-personal fields reach the Parquet files.

- `store`: export_batch, exported_up_to (the outbox → Parquet, by day)
- `features`: a line's features as of a day (DuckDB over the store)
- `segments`: segments_of (the 360), sizes, sizes_over_time
- `churn`: fit, evaluate, train_from_store, score_all, churn_risk_of (the 360)
- `advisor`: advise (the plan advisor), next_best_offer
- `kpi`: the KPI series of the dashboards (kpi, dashboard, csv_rows): `usage` (lines), `care` (CRM)
- `offers`: offers as records — make_offer(s), offers_of, open_offer, offer_of, accept, dismiss,
  acceptance (per kind and segment), expire_due
- `refresh`: the nightly job (export, scores, offers), export_all
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
from yagona.analytics.service.offers import (
    Acceptance,
    OfferRead,
    Rate,
    accept,
    acceptance,
    acceptance_csv,
    delivered,
    dismiss,
    expire_due,
    has_marketing_consent,
    make_offer,
    make_offers,
    offer_of,
    offers_of,
    open_offer,
)
from yagona.analytics.service.refresh import NIGHTLY, Refreshed, export_all, refresh, schedule_nightly
from yagona.analytics.service.segments import groups, segments_of, sizes, sizes_over_time, subjects_of
from yagona.analytics.service.store import ExportBatch, export_batch, exported_up_to

__all__ = [
    "KPIS",
    "MODEL_FEATURES",
    "NIGHTLY",
    "Acceptance",
    "Advice",
    "Consent",
    "Evaluation",
    "ExportBatch",
    "Model",
    "Offer",
    "OfferRead",
    "Rate",
    "Refreshed",
    "Risk",
    "Series",
    "Trained",
    "accept",
    "acceptance",
    "acceptance_csv",
    "advise",
    "check_range",
    "churn_risk_of",
    "configure",
    "connect",
    "csv_rows",
    "dashboard",
    "delivered",
    "dismiss",
    "evaluate",
    "event_days",
    "events_dir",
    "expire_due",
    "export_all",
    "export_batch",
    "exported_up_to",
    "features",
    "fit",
    "groups",
    "has_events",
    "has_marketing_consent",
    "kpi",
    "load_model",
    "make_offer",
    "make_offers",
    "marketing_opt_in",
    "model_path",
    "next_best_offer",
    "offer_of",
    "offers_of",
    "open_offer",
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
