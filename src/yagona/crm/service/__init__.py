"""Use cases of the CRM, a module per room. Callers pass their unit of work; nothing here
commits: an interaction is recorded in the same transaction as the contact it describes.

- `interactions`: record_interaction, timeline, timeline_page, note_message
- `requests`: open_request, contact_requests, close_request
- `tickets`: ticket, tickets, thread, attachment, customer_reply, ticket_number
- `ticket_work`: reply, add_note, assign, set_status, set_priority, merge, staff_queues,
  add_queue_member
- `sla`: ticket_options, add_day_off, remove_day_off, days_off, sla_warnings, check_sla
- `canned`: canned_replies, canned_text (prepared replies per language, as data)
- `email`: open_request_by_email (a ticket written to the support address)
- `nps`: sweep_nps, arm_nps (the daily relationship NPS)
- `feedback`: offer_survey, answer_survey, survey_by_token, feedback_scores, ... (NPS, CSAT, CES)
"""

from yagona.crm.service.canned import canned_replies, canned_text
from yagona.crm.service.email import open_request_by_email
from yagona.crm.service.feedback import CADENCE as FEEDBACK_CADENCE
from yagona.crm.service.feedback import (
    answer_survey,
    feedback_bars,
    feedback_scores,
    interaction_about,
    is_detractor,
    is_satisfied,
    offer_survey,
    send_due_survey,
    survey_by_token,
    survey_expired,
    survey_link,
    survey_score,
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
from yagona.crm.service.nps import NPS_JOB, arm_nps, sweep_nps
from yagona.crm.service.requests import close_request, contact_requests, open_request
from yagona.crm.service.sla import add_day_off, days_off, remove_day_off
from yagona.crm.service.sla import check as check_sla
from yagona.crm.service.sla import options as ticket_options
from yagona.crm.service.sla import warnings as sla_warnings
from yagona.crm.service.ticket_work import (
    add_note,
    add_queue_member,
    assign,
    deliver_replies_by,
    merge,
    reply,
    reply_undelivered,
    set_priority,
    set_status,
    staff_queues,
)
from yagona.crm.service.ticket_work import configure as configure_tickets
from yagona.crm.service.tickets import attachment, customer_reply, thread, ticket, tickets
from yagona.crm.service.tickets import number as ticket_number

__all__ = [
    "FEEDBACK_CADENCE",
    "MESSAGE",
    "NPS_JOB",
    "TIMELINE_KINDS",
    "add_day_off",
    "add_note",
    "add_queue_member",
    "answer_survey",
    "arm_nps",
    "assign",
    "attachment",
    "canned_replies",
    "canned_text",
    "check_sla",
    "close_request",
    "configure_feedback",
    "configure_tickets",
    "contact_requests",
    "customer_reply",
    "days_off",
    "deliver_replies_by",
    "feedback_bars",
    "feedback_scores",
    "interaction_about",
    "is_detractor",
    "is_satisfied",
    "merge",
    "note_message",
    "offer_survey",
    "open_request",
    "open_request_by_email",
    "record_interaction",
    "remove_day_off",
    "reply",
    "reply_undelivered",
    "send_due_survey",
    "set_priority",
    "set_status",
    "sla_warnings",
    "staff_queues",
    "survey_by_token",
    "survey_expired",
    "survey_link",
    "survey_score",
    "survey_token",
    "surveys_of",
    "sweep_nps",
    "thread",
    "ticket",
    "ticket_number",
    "ticket_options",
    "tickets",
    "timeline",
    "timeline_page",
]

# The help assistant (issue 14.5): crm/service/assistant.py
from yagona.crm.service.assistant import QUESTION_MAX, HelpAnswer, ask, show

__all__ += ["QUESTION_MAX", "HelpAnswer", "ask", "show"]
