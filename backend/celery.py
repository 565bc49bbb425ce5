"""Celery application: configuration from Django settings (CELERY_ namespace), JSON only."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules live here, in one place. Each entry says why its interval.
app.conf.beat_schedule = {
    # Daily is enough: retention is counted in days, and the purge touches many rows at once.
    "privacy-retention-purge": {"task": "privacy.retention_purge", "schedule": 24 * 60 * 60},
    # Daily: months are created MONTHS_AHEAD (3) ahead, so three months of failed runs pass
    # before a row lands in the default partition (where it is still stored, only unpruned).
    "partitions-ensure": {"task": "partitions.ensure", "schedule": 24 * 60 * 60},
    # Every 5 s: a confirmation should arrive while the volunteer still holds the phone; runs that
    # overlap are harmless (rows are claimed with SKIP LOCKED), an idle run is one cheap query.
    "sms-dispatch-due": {"task": "sms.dispatch_due", "schedule": 5.0},
    # Every 10 min: a geocoder outage heals within minutes of the geocoder coming back; a run
    # does at most 500 doors (~8 min at Nominatim's 1 request/s) and runs never overlap (lock).
    "geocode-pending": {"task": "geocode.pending", "schedule": 10 * 60.0},
    # Every 5 min: an import whose worker died (and was not redelivered) is idle for 10 min
    # before it is restarted; the restart resumes at its last committed batch.
    "imports-resume-stalled": {"task": "imports.resume_stalled", "schedule": 5 * 60.0},
    # Hourly: an unconfirmed endorsement lives ENDORSEMENT_CONFIRM_TTL_HOURS (days); its link and
    # its YES already stop working at expiry, the purge only removes the stored data within the hour.
    "endorsements-purge-expired": {"task": "endorsements.purge_expired", "schedule": 60 * 60.0},
    # Every 20 s: a missed check-in reaches the canvasser within 20 s of its deadline and the
    # field leads within 20 s of the grace period; runs that overlap are harmless (sessions are
    # claimed with SKIP LOCKED, each step once by a unique row), an idle run is one indexed query.
    "safety-escalate-due": {"task": "safety.escalate_due", "schedule": 20.0},
}

# Queues by priority, so a slow import or geocoding run never delays a reminder or a reply. The
# `worker` service consumes the urgent queues, `worker-bulk` the bulk ones (docker-compose.yml,
# docs/queues-and-payloads.md). Every task is routed here by its name: a task no route matches
# would land on Celery's default queue, which no worker consumes (tests/test_celery_queues.py).
URGENT_QUEUES = ("sync", "sms", "inbound", "safety")
BULK_QUEUES = ("geocoding", "imports", "exports", "maintenance")
app.conf.task_routes = {
    "sync.*": {"queue": "sync"},  # side effects of a canvasser's push
    "sms.*": {"queue": "sms"},  # dispatching due texts (confirmations, reminders)
    "inbound.*": {"queue": "inbound"},  # handling volunteers' replies
    "safety.*": {"queue": "safety"},  # missed check-in escalations
    "geocode.*": {"queue": "geocoding"},  # rate-limited to 1 request/s: minutes per run
    "imports.*": {"queue": "imports"},  # voter files: minutes per job
    "exports.*": {"queue": "exports"},
    "privacy.*": {"queue": "maintenance"},  # daily purges
    "endorsements.*": {"queue": "maintenance"},
    "partitions.*": {"queue": "maintenance"},  # monthly partitions created ahead
}
# The prefetch of one: a worker holding a long bulk task does not also hold queued ones.
app.conf.worker_prefetch_multiplier = 1
