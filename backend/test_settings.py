"""Settings for the test suite: fast hashing, locmem SMS, no broker, geocoder off."""

import os

os.environ.setdefault("DEBUG", "1")

from backend.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_BACKEND = "backend.sms.backends.locmem.SmsBackend"
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
GEOCODER = "off"
