"""The follow-up's Celery tasks: thin, each calls one service; idempotent, so a task delivered
twice (acks_late) or run again by beat changes nothing the first run did not."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True}


@shared_task(**RETRY, max_retries=3)
def visit_import_task(import_id: int) -> None:
    """Check and save an uploaded file of visits (uppfoljning.imports)."""
    from uppfoljning.imports import run_import

    run_import(import_id=import_id)


@shared_task(**RETRY, max_retries=5)
def monthly_check_due_task() -> None:
    """Beat, every morning: start the monthly check of the municipalities whose day it is."""
    from uppfoljning.monthly import municipalities_due

    for municipality_id, month in municipalities_due():
        monthly_check_task.delay(municipality_id, month.isoformat())


@shared_task(**RETRY, max_retries=5)
def monthly_check_task(municipality_id: int, month: str) -> None:
    """The monthly time check of one municipality and month, then its staff continuity
    (uppfoljning.monthly.run_month)."""
    from ramtid.models import Municipality
    from uppfoljning.monthly import run_month

    run_month(
        municipality=Municipality.objects.get(pk=municipality_id),
        month=datetime.date.fromisoformat(month),
    )


@shared_task(**RETRY, max_retries=5)
def plan_check_task() -> None:
    """Beat, every morning: the daily plan check and the reviews that have fallen due."""
    from uppfoljning.plan_check import run_plan_check
    from uppfoljning.reviews import create_due_reviews

    run_plan_check()
    create_due_reviews()


@shared_task(**RETRY, max_retries=5)
def notice_mail_task(notice_id: int) -> None:
    """E-mail a notice once, without personal data (uppfoljning.plan_check)."""
    from uppfoljning.plan_check import mail_notice

    mail_notice(notice_id=notice_id)


@shared_task(**RETRY, max_retries=5)
def retention_task() -> None:
    """Beat, on the 1st of every month: carry out last month's retention report and make the
    next one (uppfoljning.retention)."""
    from uppfoljning.retention import run_scheduled

    run_scheduled()
