"""Churn risk: a gradient-boosting model (scikit-learn) over a line's features as of a day,
labelled by whether the line fell silent in the horizon after it. One trainer, two sources:
the store's snapshots (a time-based hold-out: the last snapshot is the test) and any table
of rows and labels with its own split (the IBM telco table in the tests).

scikit-learn is imported on use: a process that never trains or scores does not load it."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from yagona.analytics.errors import NoModelError, OneClassError
from yagona.analytics.service._base import connect, model_path, settings
from yagona.analytics.service.features import MODEL_FEATURES, event_days, features
from yagona.platform.uow import UnitOfWork

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Evaluation:
    roc_auc: float
    precision_top_decile: float
    base_rate: float
    calibration: list[tuple[float, float, int]]  # (mean predicted, observed rate, count) per bin
    train_rows: int
    test_rows: int


@dataclass
class Model:
    """A fitted model and the columns it was fitted on (categorical values one-hot)."""

    columns: list[str]
    estimator: Any
    numeric: list[str]
    categorical: list[str]
    medians: dict[str, float] = field(default_factory=dict)

    def matrix(self, rows: Sequence[Row]) -> Any:
        import numpy as np  # noqa: PLC0415 - with scikit-learn, on use

        index = {name: i for i, name in enumerate(self.columns)}
        out = np.zeros((len(rows), len(self.columns)))
        for r, row in enumerate(rows):
            for name in self.numeric:
                value = row.get(name)
                out[r, index[name]] = float(value) if value is not None else self.medians.get(name, 0.0)
            for name in self.categorical:
                column = index.get(f"{name}={row.get(name)}")
                if column is not None:
                    out[r, column] = 1.0
        return out

    def scores(self, rows: Sequence[Row]) -> list[float]:
        if not rows:
            return []
        return [float(p) for p in self.estimator.predict_proba(self.matrix(rows))[:, 1]]

    def reasons(self, rows: Sequence[Row], *, top: int = 3) -> list[list[str]]:
        """Each row's top reasons: the features whose typical value (the training median)
        would lower its risk the most, most first."""
        if not rows:
            return []
        base = self.scores(rows)
        lifts: list[list[tuple[float, str]]] = [[] for _ in rows]
        for name in self.numeric:
            typical = [{**row, name: self.medians.get(name, 0.0)} for row in rows]
            for i, score in enumerate(self.scores(typical)):
                if base[i] - score > 0.005:
                    lifts[i].append((base[i] - score, name))
        return [[name for _lift, name in sorted(found, reverse=True)[:top]] for found in lifts]


def fit(
    train: Sequence[Row],
    labels: Sequence[int],
    *,
    numeric: Sequence[str],
    categorical: Sequence[str] = (),
    seed: int = 1,
) -> Model:
    """A gradient-boosting classifier on the rows; one class only is refused."""
    from sklearn.ensemble import GradientBoostingClassifier  # noqa: PLC0415 - on use

    if len(set(labels)) < 2:
        raise OneClassError(
            "a churn model needs churners and stayers: the training set has one class only",
            label=str(labels[0]) if labels else "none",
        )
    levels = {name: sorted({str(row.get(name)) for row in train}) for name in categorical}
    columns = [*numeric, *(f"{name}={level}" for name in categorical for level in levels[name])]
    medians = {name: _median([row.get(name) for row in train]) for name in numeric}
    model = Model(columns=columns, estimator=None, numeric=list(numeric), categorical=list(categorical),
                  medians=medians)  # fmt: skip
    estimator = GradientBoostingClassifier(
        n_estimators=150,
        learning_rate=0.05,
        max_depth=3,
        subsample=0.8,
        min_samples_leaf=max(1, min(20, len(train) // 50)),
        random_state=seed,
    )
    estimator.fit(model.matrix(train), list(labels))
    model.estimator = estimator
    return model


def evaluate(model: Model, test: Sequence[Row], labels: Sequence[int], *, train_rows: int) -> Evaluation:
    """ROC AUC, precision in the top-scored tenth, and calibration in five bins."""
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415 - on use

    if len(set(labels)) < 2:
        raise OneClassError("the hold-out has one class only: no AUC", label=str(labels[0]) if labels else "none")
    scores = model.scores(test)
    ranked = sorted(zip(scores, labels, strict=True), key=lambda pair: -pair[0])
    decile = ranked[: max(1, len(ranked) // 10)]
    bins: list[tuple[float, float, int]] = []
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        inside = [
            (s, y) for s, y in zip(scores, labels, strict=True) if low <= s < low + 0.2 or (low == 0.8 and s == 1)
        ]
        if inside:
            bins.append((sum(s for s, _ in inside) / len(inside), sum(y for _, y in inside) / len(inside), len(inside)))
    return Evaluation(
        roc_auc=float(roc_auc_score(list(labels), scores)),
        precision_top_decile=sum(y for _, y in decile) / len(decile),
        base_rate=sum(labels) / len(labels),
        calibration=bins,
        train_rows=train_rows,
        test_rows=len(test),
    )


def random_split(
    rows: Sequence[Row], labels: Sequence[int], *, test_share: float = 0.3, seed: int = 1
) -> tuple[list[Row], list[int], list[Row], list[int]]:
    """A stratified random split (a table without time, as the IBM one)."""
    draw = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    train: list[Row] = []
    train_y: list[int] = []
    test: list[Row] = []
    test_y: list[int] = []
    for label in sorted(set(labels)):
        chosen = [i for i, y in enumerate(labels) if y == label]
        draw.shuffle(chosen)
        cut = round(len(chosen) * test_share)
        test.extend(rows[i] for i in chosen[:cut])
        test_y.extend([label] * cut)
        train.extend(rows[i] for i in chosen[cut:])
        train_y.extend([label] * (len(chosen) - cut))
    return train, train_y, test, test_y


# --- the store's snapshots --------------------------------------------------------------------


def snapshots(*, horizon_days: int, step_days: int = 7) -> list[tuple[date, list[dict[str, Any]], list[int]]]:
    """(as of, features, labels) every `step_days` while a whole horizon follows: the lines
    active in the 14 days before, labelled 1 when they have no use in the horizon after."""
    made = []
    with connect() as con:
        span = event_days(con)
        if span is None:
            return []
        first, last = span
        day = first + timedelta(days=max(7, step_days))
        while day + timedelta(days=horizon_days) <= last + timedelta(days=1):
            now = [f for f in features(con, as_of=day) if f["days_since_active"] < 14]
            later = {f["subject"]: f for f in features(con, as_of=day + timedelta(days=horizon_days))}
            labels = [1 if _silent(later.get(f["subject"]), horizon_days) else 0 for f in now]
            made.append((day, now, labels))
            day += timedelta(days=step_days)
    return made


def _silent(after: Mapping[str, Any] | None, horizon_days: int) -> bool:
    return after is None or after["days_since_active"] >= horizon_days


@dataclass(frozen=True, slots=True)
class Trained:
    evaluation: Evaluation
    snapshots: int
    path: str


def train_from_store(*, horizon_days: int | None = None, step_days: int = 7, seed: int = 1) -> Trained:
    """Train on every snapshot but the last, test on the last (time-based hold-out); the model
    is saved beside the store for the nightly scores."""
    import joblib  # noqa: PLC0415 - on use

    horizon = horizon_days or settings().churn_horizon_days
    made = snapshots(horizon_days=horizon, step_days=step_days)
    if len(made) < 2:
        raise OneClassError(
            "the store holds too few days for a time-based hold-out (two snapshots and a horizon)", label="none"
        )
    train = [row for _day, rows, _labels in made[:-1] for row in rows]
    train_y = [y for _day, _rows, labels in made[:-1] for y in labels]
    _day, test, test_y = made[-1]
    model = fit(train, train_y, numeric=MODEL_FEATURES, categorical=("plan",), seed=seed)
    evaluation = evaluate(model, test, test_y, train_rows=len(train))
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return Trained(evaluation=evaluation, snapshots=len(made), path=str(path))


def load_model() -> Model:
    import joblib  # noqa: PLC0415 - on use

    path = model_path()
    if not path.exists():
        raise NoModelError("no churn model: run `yagona analytics churn train`")
    model: Model = joblib.load(path)
    return model


def scores_path() -> Any:
    return model_path().parent.parent / "scores" / "churn.parquet"


def score_all(*, as_of: date) -> int:
    """Every line's risk and top reasons as of a day, written beside the store (by pseudonym)."""
    model = load_model()
    with connect() as con:
        rows = features(con, as_of=as_of)
    risks = model.scores(rows)
    reasons = model.reasons(rows)
    import pyarrow as pa  # noqa: PLC0415 - on use: most processes never write the store
    import pyarrow.parquet as pq  # noqa: PLC0415

    table = pa.Table.from_pylist(
        [{"subject": row["subject"], "as_of": as_of, "risk": risk, "reasons": why}
         for row, risk, why in zip(rows, risks, reasons, strict=True)],
        schema=pa.schema([("subject", pa.string()), ("as_of", pa.date32()), ("risk", pa.float64()),
                          ("reasons", pa.list_(pa.string()))]),
    )  # fmt: skip
    path = scores_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".tmp")
    pq.write_table(table, building)
    building.replace(path)
    return len(rows)


@dataclass(frozen=True, slots=True)
class Risk:
    risk: float
    reasons: list[str]
    as_of: date


def churn_risk_of(uow: UnitOfWork, *, customer_id: str) -> Risk | None:
    """The customer's churn risk (their riskiest line) and its top reasons, from the last
    nightly scores; None before the first scores."""
    from yagona.analytics.service.segments import subjects_of  # noqa: PLC0415 - sibling module

    path = scores_path()
    if not path.exists():
        return None
    subjects = set(subjects_of(uow, customer_id=customer_id))
    import pyarrow.parquet as pq  # noqa: PLC0415 - on use

    found = pq.read_table(path, filters=[("subject", "in", sorted(subjects))]).to_pylist() if subjects else []
    if not found:
        return None
    worst = max(found, key=lambda row: row["risk"])
    return Risk(risk=worst["risk"], reasons=list(worst["reasons"]), as_of=worst["as_of"])


def _median(values: Sequence[Any]) -> float:
    numbers = sorted(float(v) for v in values if v is not None)
    return numbers[len(numbers) // 2] if numbers else 0.0
