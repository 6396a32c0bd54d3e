"""Refusals of identity. Codes are stable. Messages never say whether a phone is registered."""

from __future__ import annotations

from typing import ClassVar

from yagona.kernel.errors import ConflictError, InvalidRequestError, NotFoundError, UnauthenticatedError, YagonaError
from yagona.kernel.errors import ForbiddenError as AccessDeniedError
from yagona.kernel.phone import InvalidPhoneError

__all__ = [
    "AccessDeniedError",
    "AttemptsExceededError",
    "CustomerNotFoundError",
    "DocumentsNotAcceptedError",
    "InvalidCredentialsError",
    "InvalidPhoneError",
    "InvalidRequestError",
    "OneIdError",
    "OneIdStateError",
    "PhoneTakenError",
    "ReauthenticationRequiredError",
    "RecordedRefusalError",
    "RegistrationRequiredError",
    "SendLimitError",
    "TotpNotEnabledError",
    "TotpRequiredError",
    "TotpSetupError",
    "UnauthenticatedError",
    "WeakPasswordError",
]


class RecordedRefusalError(YagonaError):
    """A refusal whose security record (attempt counter, audit row) must persist: the
    channel commits its unit of work before answering, unlike any other refusal."""

    persist: ClassVar[bool] = True


class WeakPasswordError(InvalidRequestError):
    code = "weak_password"


class DocumentsNotAcceptedError(InvalidRequestError):
    code = "documents_not_accepted"


class InvalidCredentialsError(RecordedRefusalError):
    code = "invalid_credentials"
    http_status = 401


class AttemptsExceededError(RecordedRefusalError):
    code = "too_many_attempts"
    http_status = 429


class SendLimitError(RecordedRefusalError):
    code = "too_many_codes"
    http_status = 429


class TotpRequiredError(YagonaError):
    code = "totp_required"
    http_status = 401


class RegistrationRequiredError(YagonaError):
    """The phone proved it is the caller's, and no customer holds it: sign up."""

    code = "registration_required"
    http_status = 404


class ReauthenticationRequiredError(YagonaError):
    code = "reauthentication_required"
    http_status = 401


class CustomerNotFoundError(NotFoundError):
    code = "customer_not_found"


class PhoneTakenError(ConflictError):
    code = "phone_taken"


class OneIdStateError(YagonaError):
    """A OneID answer that is not this browser's: unknown, expired or used state, or a
    callback in a browser other than the one that started the round trip (login CSRF)."""

    code = "oneid_state_invalid"
    http_status = 400


class TotpSetupError(YagonaError):
    """An authenticator setup that is not (or no longer) this session's to confirm."""

    code = "totp_setup_invalid"
    http_status = 400


class TotpNotEnabledError(YagonaError):
    code = "totp_not_enabled"
    http_status = 409


class OneIdError(YagonaError):
    code = "oneid_failed"
    http_status = 502


class ProfileFieldError(InvalidRequestError):
    """A correction of the profile that cannot be kept (an empty name, a malformed e-mail)."""

    code = "profile_field_invalid"
