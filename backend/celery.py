"""Celery application: configuration from Django settings (CELERY_ namespace), JSON only."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules live here, in one place. Each entry says why its interval.
app.conf.beat_schedule = {}
