"""Use cases of identity. Callers pass their unit of work and the identity context;
nothing here commits.

Refusals that are `RecordedRefusalError`s (wrong code, wrong password, limits) have written
their attempt counters and audit rows: the channel commits before answering. Every
other refusal writes nothing. No answer says whether a phone number is registered.

A package of rooms by use case; `from yagona.identity import service` gives every public
function, as before.
"""

from yagona.identity.service.common import audit, audit_trail
from yagona.identity.service.context import IdentityContext, make_context, phone_or_refuse
from yagona.identity.service.customers import (
    accept_documents,
    correct_profile,
    documents_to_accept,
    find_customer_by_email,
    find_customer_by_phone,
    get_customer,
    notice_recipients,
    register_customer,
    set_language,
    set_marketing_opt_in,
)
from yagona.identity.service.oneid import (
    ONEID_STATE_TTL_S,
    OneIdStart,
    apply_oneid_profile,
    begin_oneid,
    take_oneid_state,
)
from yagona.identity.service.security import begin_totp, change_password, change_phone, confirm_totp, remove_totp
from yagona.identity.service.services import link_line, link_service, service_holder, verification_level
from yagona.identity.service.sessions import (
    authenticate,
    list_sessions,
    report_unauthorised_access,
    resolve_principal,
    revoke_other_sessions,
    revoke_session,
)
from yagona.identity.service.signin import login_with_password, request_otp, verify_otp

__all__ = [
    "ONEID_STATE_TTL_S",
    "IdentityContext",
    "OneIdStart",
    "accept_documents",
    "apply_oneid_profile",
    "audit",
    "audit_trail",
    "authenticate",
    "begin_oneid",
    "begin_totp",
    "change_password",
    "change_phone",
    "confirm_totp",
    "correct_profile",
    "documents_to_accept",
    "find_customer_by_email",
    "find_customer_by_phone",
    "get_customer",
    "link_line",
    "link_service",
    "list_sessions",
    "login_with_password",
    "make_context",
    "notice_recipients",
    "phone_or_refuse",
    "register_customer",
    "remove_totp",
    "report_unauthorised_access",
    "request_otp",
    "resolve_principal",
    "revoke_other_sessions",
    "revoke_session",
    "service_holder",
    "set_language",
    "set_marketing_opt_in",
    "take_oneid_state",
    "verification_level",
    "verify_otp",
]
