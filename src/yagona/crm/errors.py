"""Refusals of the CRM (messages in `messages.yaml`)."""

from __future__ import annotations

from yagona.kernel.errors import ConflictError, InvalidRequestError, NotFoundError, YagonaError


class EmptyTextError(InvalidRequestError):
    """An interaction or a request says something: an empty one is refused."""

    code = "text_required"


class UnknownChannelError(InvalidRequestError):
    """A contact names one of the channels the CRM knows."""

    code = "unknown_channel"


class RequestNotFoundError(NotFoundError):
    """No contact request by that id."""

    code = "request_not_found"


class RequestClosedError(ConflictError):
    """A request closed once is not closed again (its note and closer stay as they were)."""

    code = "request_closed"


class QuestionTooLongError(InvalidRequestError):
    """A question to the help assistant fits in `limit` characters (a question, not a letter)."""

    code = "question_too_long"


class TooManyQuestionsError(YagonaError):
    """A customer asks the help assistant at most `limit` questions in `minutes` minutes."""

    code = "too_many_questions"
    http_status = 429
