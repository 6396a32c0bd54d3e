"""Use cases of the CRM, a module per room. Callers pass their unit of work; nothing here
commits: an interaction is recorded in the same transaction as the contact it describes.

- `interactions`: record_interaction, timeline, timeline_page, note_message
- `requests`: open_request, contact_requests, close_request
- `feedback`: offer_survey, answer_survey, survey_by_token, feedback_scores, ... (NPS, CSAT, CES)
"""

from yagona.crm.service.feedback import (
    answer_survey,
    feedback_bars,
    feedback_scores,
    interaction_about,
    offer_survey,
    send_due_survey,
    survey_by_token,
    survey_expired,
    survey_link,
    survey_token,
    surveys_of,
)
from yagona.crm.service.feedback import configure as configure_feedback
from yagona.crm.service.interactions import (
    MESSAGE,
    TIMELINE_KINDS,
    note_message,
    record_interaction,
    timeline,
    timeline_page,
)
from yagona.crm.service.requests import close_request, contact_requests, open_request

__all__ = [
    "MESSAGE",
    "TIMELINE_KINDS",
    # feedback
    "answer_survey",
    "close_request",
    "configure_feedback",
    "contact_requests",
    "feedback_bars",
    "feedback_scores",
    "interaction_about",
    "note_message",
    "offer_survey",
    "open_request",
    "record_interaction",
    "send_due_survey",
    "survey_by_token",
    "survey_expired",
    "survey_link",
    "survey_token",
    "surveys_of",
    "timeline",
    "timeline_page",
]
