"""Use cases of the access log. Callers pass their unit of work; nothing here commits: a
view or an action is recorded in the same transaction as whatever it did."""

from __future__ import annotations

from yagona.platform.uow import UnitOfWork
from yagona.privacy import repository, rules
from yagona.privacy.errors import ReasonRequiredError
from yagona.privacy.models import AccessRecord
from yagona.privacy.schemas import AccessRecordRead

REASON_MIN_LENGTH = rules.REASON_MIN_LENGTH
REASON_MAX_LENGTH = rules.REASON_MAX_LENGTH


def checked_reason(reason: str) -> str:
    """The reason as it will be kept, or `reason_required`: check it before acting."""
    cleaned = rules.clean_reason(reason)
    if cleaned is None:
        raise ReasonRequiredError(
            "Say why (at least 5 characters): the access log keeps the reason.",
            field="reason",
            min_length=rules.REASON_MIN_LENGTH,
        )
    return cleaned


def record_access(
    uow: UnitOfWork, *, staff_id: str, customer_id: str, action: str, reason: str, subject: str | None = None
) -> AccessRecordRead:
    """Who (`staff_id`) saw or did what (`action` on `subject`) of whose data, and why."""
    row = AccessRecord(
        staff_id=staff_id,
        customer_id=customer_id,
        action=action[:40],
        subject=subject[:120] if subject else None,
        reason=checked_reason(reason),
        occurred_at=uow.clock.now(),
    )
    repository.add(uow.session, row)
    return _read(row)


def access_log(
    uow: UnitOfWork, *, customer_id: str | None = None, staff_id: str | None = None, limit: int = 100
) -> list[AccessRecordRead]:
    """Newest first; by customer, by member of staff, or both."""
    rows = repository.records(
        uow.session, customer_id=customer_id, staff_id=staff_id, limit=max(1, min(limit, uow.limits.page_size_max))
    )
    return [_read(row) for row in rows]


def staff_activity(uow: UnitOfWork, *, staff_id: str, limit: int = 100) -> list[AccessRecordRead]:
    """What one member of staff looked at and did, newest first."""
    return access_log(uow, staff_id=staff_id, limit=limit)


def _read(row: AccessRecord) -> AccessRecordRead:
    return AccessRecordRead.model_validate(row, from_attributes=True)
