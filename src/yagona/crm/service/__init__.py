"""Use cases of the CRM, a module per room. Callers pass their unit of work; nothing here
commits: an interaction is recorded in the same transaction as the contact it describes.

- `interactions`: record_interaction, timeline, timeline_page, note_message
- `requests`: open_request, contact_requests, close_request
"""

from yagona.crm.service.interactions import MESSAGE, note_message, record_interaction, timeline, timeline_page
from yagona.crm.service.requests import close_request, contact_requests, open_request

__all__ = [
    "MESSAGE",
    "close_request",
    "contact_requests",
    "note_message",
    "open_request",
    "record_interaction",
    "timeline",
    "timeline_page",
]

# The help assistant (issue 14.5): crm/service/assistant.py
from yagona.crm.service.assistant import QUESTION_MAX, HelpAnswer, ask, show

__all__ += ["QUESTION_MAX", "HelpAnswer", "ask", "show"]
