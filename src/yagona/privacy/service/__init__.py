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

# --- consents, documents, staff access grants, disclosures (issue 16, parts 1, 2, 4, 5) ------
from yagona.privacy.service.consents import (
    MARKETING,
    ConsentChange,
    ConsentState,
    Purpose,
    RefusedAttemptRead,
    consent_history,
    consents_of,
    give_consent,
    has_consent,
    purposes,
    refused_attempts,
    set_consent,
    withdraw_consent,
)
from yagona.privacy.service.disclosures import (
    DisclosureRead,
    all_disclosures,
    disclosures_of,
    record_disclosure,
)
from yagona.privacy.service.documents import (
    KINDS,
    Acceptance,
    DocumentVersion,
    Published,
    Recipient,
    accept_documents,
    acceptances_of,
    configure_notices,
    current_documents,
    document,
    documents_to_accept,
    publish_document,
)
from yagona.privacy.service.grants import (
    DURATIONS,
    EMERGENCY_BASES,
    SECTIONS,
    GrantRead,
    Requested,
    active_grant,
    approve,
    confirm_code,
    deny,
    emergency_access,
    grant_of,
    grants_of,
    request_access,
    require_access,
    revoke,
    staff_grants,
)

__all__ += [
    "DURATIONS",
    "EMERGENCY_BASES",
    "KINDS",
    "MARKETING",
    "SECTIONS",
    "Acceptance",
    "ConsentChange",
    "ConsentState",
    "DisclosureRead",
    "DocumentVersion",
    "GrantRead",
    "Published",
    "Purpose",
    "Recipient",
    "RefusedAttemptRead",
    "Requested",
    "accept_documents",
    "acceptances_of",
    "active_grant",
    "all_disclosures",
    "approve",
    "configure_notices",
    "confirm_code",
    "consent_history",
    "consents_of",
    "current_documents",
    "deny",
    "disclosures_of",
    "document",
    "documents_to_accept",
    "emergency_access",
    "give_consent",
    "grant_of",
    "grants_of",
    "has_consent",
    "publish_document",
    "purposes",
    "record_disclosure",
    "refused_attempts",
    "request_access",
    "require_access",
    "revoke",
    "set_consent",
    "staff_grants",
    "withdraw_consent",
]
