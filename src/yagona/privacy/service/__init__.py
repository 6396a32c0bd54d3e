"""Use cases of privacy, a module per room. Callers pass their unit of work; nothing here
commits: a view or an action is recorded in the same transaction as whatever it did.

- `access`: the access log (checked_reason, record_access, access_log, staff_activity)
- `pseudonyms`: keyed, stable pseudonyms for de-identified data (configure, pseudonym)
- `personal_data`: the PersonalDataProvider protocol, its registry, describe/export/archive
- `erasure`: erasure on request and the legal holds that stop it
- `retention`: retention periods per purpose and the daily pass
- `deidentify`: the k-anonymity check of exports
- `fieldkeys`: key rotation of the sealed personal fields (rotate_keys)
"""

from yagona.privacy.service.access import (
    REASON_MAX_LENGTH,
    REASON_MIN_LENGTH,
    access_log,
    checked_reason,
    record_access,
    staff_activity,
)
from yagona.privacy.service.deidentify import k_anonymity
from yagona.privacy.service.erasure import erase, erasures, holds, mask, place_hold, release_hold
from yagona.privacy.service.fieldkeys import rotate_keys, sealed_columns
from yagona.privacy.service.personal_data import (
    PersonalDataProvider,
    Section,
    archive,
    coverage,
    describe,
    export,
    own,
    phones_of,
    providers,
    register,
)
from yagona.privacy.service.pseudonyms import configure, pseudonym, short_pseudonym
from yagona.privacy.service.retention import RETENTION_JOB, arm_retention, retention_periods, run_retention

__all__ = [
    "REASON_MAX_LENGTH",
    "REASON_MIN_LENGTH",
    "RETENTION_JOB",
    "PersonalDataProvider",
    "Section",
    "access_log",
    "archive",
    "arm_retention",
    "checked_reason",
    "configure",
    "coverage",
    "describe",
    "erase",
    "erasures",
    "export",
    "holds",
    "k_anonymity",
    "mask",
    "own",
    "phones_of",
    "place_hold",
    "providers",
    "pseudonym",
    "record_access",
    "register",
    "release_hold",
    "retention_periods",
    "rotate_keys",
    "run_retention",
    "sealed_columns",
    "short_pseudonym",
    "staff_activity",
]
