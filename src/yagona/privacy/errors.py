"""Refusals of the privacy domain (messages in `messages.yaml`)."""

from __future__ import annotations

from yagona.kernel.errors import ConflictError, ForbiddenError, InvalidRequestError, NotFoundError, YagonaError


class ReasonRequiredError(InvalidRequestError):
    """Personal data is opened or changed only with a reason, which the access log keeps."""

    code = "reason_required"


class NotYourDataError(ForbiddenError):
    """A customer sees, exports or erases their own data only."""

    code = "not_your_data"


class LegalHoldError(ConflictError):
    """The law requires this customer's data kept (a legal hold): no erasure until released."""

    code = "legal_hold"


class HoldNotFoundError(NotFoundError):
    code = "legal_hold_not_found"


class HoldReferenceRequiredError(InvalidRequestError):
    """A hold placed in the console names its document: the order's number, the case file."""

    code = "legal_hold_reference_required"


class RecordedRefusalError(YagonaError):
    """A refusal whose attempt is kept (`privacy_refused_attempt`): the unit of work commits
    that row as the error leaves it; nothing else was written (the checks come first)."""

    persist = True


class UnknownPurposeError(InvalidRequestError, RecordedRefusalError):
    """A purpose the register (privacy/data/purposes.yaml) does not list: a consent for it, or
    a retention pass of it."""

    code = "unknown_purpose"


class KAnonymityInputError(InvalidRequestError):
    """A k-anonymity check needs at least one quasi-identifier and k of at least 2."""

    code = "k_anonymity_input"


class NotConsentBasedError(InvalidRequestError):
    """A purpose held by contract, law or legitimate interest: no consent to give or withdraw."""

    code = "consent_not_needed"


class AccessReasonRequiredError(ReasonRequiredError, RecordedRefusalError):
    """A staff access request without a reason."""

    code = "reason_required"


class UnknownScopeError(InvalidRequestError, RecordedRefusalError):
    """A staff access request for a section the cabinet does not have."""

    code = "unknown_scope"


class AccessNotGrantedError(ForbiddenError):
    """Staff open a customer's personal sections only with the customer's live permission."""

    code = "access_not_granted"


class GrantNotFoundError(NotFoundError):
    code = "grant_not_found"


class GrantNotPendingError(ConflictError):
    """The request was already decided (or has expired)."""

    code = "grant_not_pending"


class WrongAccessCodeError(InvalidRequestError):
    """A wrong code counts (five end the request): the refusal keeps the count."""

    code = "wrong_access_code"
    persist = True


class UnknownDocumentError(NotFoundError):
    code = "unknown_document"


class DocumentVersionExistsError(ConflictError):
    code = "document_version_exists"


class DisclosureIncompleteError(InvalidRequestError):
    """A disclosure is recorded with its body, legal basis, reference and what was given."""

    code = "disclosure_incomplete"
