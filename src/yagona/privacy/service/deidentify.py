"""De-identification checks for exports (seed 003, 12): the analytics export pseudonymises
with `privacy.service.pseudonym` (pseudonyms.py, the one implementation) and then asks
`k_anonymity` whether the rows, grouped by their quasi-identifiers (birth year, region, plan),
still single anybody out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from yagona.privacy import rules
from yagona.privacy.errors import KAnonymityInputError
from yagona.privacy.schemas import KAnonymityReport

DEFAULT_K = 5
DEFAULT_QUASI = ("birth_year", "region", "plan")


def k_anonymity(
    rows: Iterable[Mapping[str, object]], *, quasi: Sequence[str] = DEFAULT_QUASI, k: int = DEFAULT_K
) -> KAnonymityReport:
    """The report on `rows` (an export's rows): `ok` when every group alike in `quasi` holds
    at least `k` rows; else the risky groups, to generalise or suppress before release."""
    if not quasi or k < 2:
        raise KAnonymityInputError("At least one quasi-identifier and k ≥ 2 are needed.", k=k)
    found = rules.k_anonymity([dict(row) for row in rows], list(quasi), k)
    return KAnonymityReport.model_validate(found)
