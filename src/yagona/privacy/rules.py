"""Pure rules of the access log. No I/O, no framework."""

from __future__ import annotations

REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 500


def clean_reason(raw: str) -> str | None:
    """The reason as kept (spaces collapsed), or None when it is too short to say anything."""
    reason = " ".join(raw.split())
    if len(reason) < REASON_MIN_LENGTH:
        return None
    return reason[:REASON_MAX_LENGTH]


# --- k-anonymity (seed 003, 12: research on de-identified data) -------------------------


def equivalence_classes(rows: list[dict[str, object]], quasi: list[str]) -> dict[tuple[object, ...], int]:
    """How many rows share each combination of the quasi-identifiers (a missing one is None)."""
    groups: dict[tuple[object, ...], int] = {}
    for row in rows:
        key = tuple(row.get(name) for name in quasi)
        groups[key] = groups.get(key, 0) + 1
    return groups


def k_anonymity(rows: list[dict[str, object]], quasi: list[str], k: int) -> dict[str, object]:
    """The re-identification risk: every group of rows alike in `quasi` must hold ≥ k rows.
    Returns k, rows, groups, the smallest group, ok, and the groups below k (their keys)."""
    groups = equivalence_classes(rows, quasi)
    risky = sorted((key, n) for key, n in groups.items() if n < k) if groups else []
    risky.sort(key=lambda pair: (pair[1], repr(pair[0])))
    return {
        "k": k,
        "quasi": list(quasi),
        "rows": len(rows),
        "groups": len(groups),
        "smallest_group": min(groups.values(), default=0),
        "ok": not risky,
        "risky_groups": [{**dict(zip(quasi, key, strict=True)), "count": n} for key, n in risky],
        "rows_at_risk": sum(n for _, n in risky),
    }
