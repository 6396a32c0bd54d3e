"""Pure rules of tickets: the moves between statuses and what an attachment may be."""

from __future__ import annotations

# 800 KiB a file: a request body is at most 1 MiB (`http.max_body_bytes`), the form and its
# multipart framing included, so a larger limit here could never be reached over HTTP.
ATTACHMENT_MAX_BYTES = 800 * 1024
ATTACHMENTS_MAX = 3  # files a message
FILENAME_MAX_LENGTH = 120

# Where a member of staff may move a ticket from each status. Closed is final; a resolved
# ticket may be reopened (the customer wrote back) or closed.
MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "waiting_customer", "resolved", "closed"}),
    "in_progress": frozenset({"waiting_customer", "resolved", "closed"}),
    "waiting_customer": frozenset({"in_progress", "resolved", "closed"}),
    "resolved": frozenset({"in_progress", "closed"}),
    "closed": frozenset(),
}

# The type of a file, read from its first bytes (its name and its declared type are not trusted).
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
)


def may_move(current: str, new: str) -> bool:
    return new in MOVES.get(current, frozenset())


def attachment_type(data: bytes) -> str | None:
    """png, jpeg or pdf by its magic bytes; None for anything else."""
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def attachment_refusal(data: bytes) -> str | None:
    """Why a file is refused (`empty`, `too_large`, `type`), or None when it is taken."""
    if not data:
        return "empty"
    if len(data) > ATTACHMENT_MAX_BYTES:
        return "too_large"
    return None if attachment_type(data) else "type"


def safe_filename(name: str) -> str:
    """The file's own name without a path or control characters, cut to a length."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?').strip(" .")
    return (cleaned or "file")[:FILENAME_MAX_LENGTH]


def after_customer_reply(status: str) -> str:
    """The customer wrote: a ticket waiting for them, or resolved, is worked again."""
    return "in_progress" if status in ("waiting_customer", "resolved") else status
