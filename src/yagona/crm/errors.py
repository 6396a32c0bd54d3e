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


class TicketInvalidError(InvalidRequestError):
    """A ticket names a customer, a category and a priority the data knows (`tickets.yaml`);
    a status, queue or agent the same. The refusal keeps the kernel's code `invalid_request`."""

    code = "invalid_request"


class AttachmentRefusedError(InvalidRequestError):
    """An attachment over the size limit or of a type other than png, jpeg or pdf (checked by
    its first bytes, not its name)."""

    code = "attachment_refused"


class NotInQueueError(YagonaError):
    """An agent acts only on the tickets of the queues they work (a supervisor on any)."""

    code = "not_in_queue"
    http_status = 403


class TicketMergeError(ConflictError):
    """A ticket merges into another open ticket of the same customer, never into itself."""

    code = "merge_refused"


class SurveyScoreError(InvalidRequestError):
    """A survey's answer is a whole number on its scale (NPS 0-10, CSAT 1-5, CES 1-7)."""

    code = "survey_score_out_of_range"


class SurveyNotFoundError(NotFoundError):
    """No survey by that link: a mistyped or forged token (the same answer for both)."""

    code = "survey_not_found"


class SurveyAnsweredError(ConflictError):
    """A survey is answered once: a second answer (a replayed link) changes nothing."""

    code = "survey_answered"


class SurveyExpiredError(ConflictError):
    """A survey's link answers for two weeks."""

    code = "survey_expired"
    http_status = 410


class UnknownKindError(InvalidRequestError):
    """A timeline is filtered by one of the kinds the CRM knows (a line, the wallet, a message…)."""

    code = "unknown_kind"
