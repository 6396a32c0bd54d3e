"""Use cases of privacy, a module per room. Callers pass their unit of work; nothing here
commits: a view or an action is recorded in the same transaction as whatever it did.

- `access`: the access log (checked_reason, record_access, access_log, staff_activity)
- `pseudonyms`: keyed, stable pseudonyms for de-identified data (configure, pseudonym)
"""

from yagona.privacy.service.access import (
    REASON_MAX_LENGTH,
    REASON_MIN_LENGTH,
    access_log,
    checked_reason,
    record_access,
    staff_activity,
)
from yagona.privacy.service.pseudonyms import configure, pseudonym

__all__ = [
    "REASON_MAX_LENGTH",
    "REASON_MIN_LENGTH",
    "access_log",
    "checked_reason",
    "configure",
    "pseudonym",
    "record_access",
    "staff_activity",
]
