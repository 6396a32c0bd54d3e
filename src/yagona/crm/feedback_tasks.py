"""Feedback's due jobs: a survey offered in quiet hours is sent when they end (08:00 Tashkent);
the daily relationship NPS pass offers the NPS survey and arms the next day's."""

from __future__ import annotations

from typing import Any

from yagona.crm import service
from yagona.crm.service.feedback import SEND_JOB
from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork


def send(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    sent = service.send_due_survey(uow, survey_id=str(job.payload["survey"]))
    return [{"kind": "survey_sent" if sent else "survey_skipped", "survey": str(job.payload["survey"])}]


def nps_sweep(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    offered = service.sweep_nps(uow)
    service.arm_nps(uow)
    return [{"kind": "nps_offered", "count": offered}]


def handlers() -> dict[str, JobHandler]:
    return {SEND_JOB: send, service.NPS_JOB: nps_sweep}
