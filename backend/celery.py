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
    # Every 5 s: a confirmation should arrive while the volunteer still holds the phone; runs that
    # overlap are harmless (rows are claimed with SKIP LOCKED), an idle run is one cheap query.
    "sms-dispatch-due": {"task": "sms.dispatch_due", "schedule": 5.0},
}
