"""Celery tasks of the messaging app: take ids (or nothing), call a service, return."""

from __future__ import annotations

from celery import shared_task

from messaging.services.dispatch import sms_dispatch_due


@shared_task(name="sms.dispatch_due", ignore_result=True)
def sms_dispatch_due_task() -> dict[str, object]:
    """Send due texts (several workers may run it at once: rows are claimed with SKIP LOCKED)."""
    return sms_dispatch_due(max_batches=20).as_dict()
