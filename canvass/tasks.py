"""Celery tasks of the canvass app: take ids (or nothing), call a service, return."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from canvass.services.endorsements import endorsements_purge_expired
from canvass.services.geocoding import households_geocode_pending
from canvass.services.import_jobs import import_job_run, import_jobs_stalled
from canvass.services.safety import safety_escalations_run


@shared_task(
    name="imports.run",
    ignore_result=True,
    # A job acknowledged only when done is redelivered if its worker dies; the job resumes from
    # its last committed batch, so nothing is written twice.
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.IMPORT_TASK_TIME_LIMIT_SECONDS,
    soft_time_limit=settings.IMPORT_TASK_TIME_LIMIT_SECONDS - 30,
)
def import_job_run_task(job_id: int) -> None:
    import_job_run(job_id=job_id)


@shared_task(name="imports.resume_stalled", ignore_result=True)
def import_jobs_resume_stalled_task() -> list[int]:
    """Start again the jobs whose worker died without the broker redelivering them."""
    stalled = import_jobs_stalled()
    for job_id in stalled:
        import_job_run_task.delay(job_id)
    return stalled


@shared_task(name="geocode.pending", ignore_result=True)
def geocode_pending_task(limit: int = 500) -> dict[str, object]:
    """Retry doors whose geocoding is pending or failed (one run at a time, rate-limited)."""
    return households_geocode_pending(limit=limit).as_dict()


@shared_task(name="endorsements.purge_expired", ignore_result=True)
def endorsements_purge_expired_task() -> int:
    """Delete endorsements left unconfirmed past ENDORSEMENT_CONFIRM_TTL_HOURS."""
    return endorsements_purge_expired()


@shared_task(name="safety.escalate_due", ignore_result=True)
def safety_escalations_task() -> dict[str, object]:
    """Text whoever a missed check-in is due to reach (canvasser, field leads, organizers)."""
    return safety_escalations_run().as_dict()
