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
# pytest-django runs with DEBUG off, where crypto refuses to derive keys: give fixed test keys.
PII_HASH_KEY = "test-pii-hash-key-0123456789abcdef0123456789"
FIELD_ENCRYPTION_KEYS = ["Xv0h0PcGHZP2q4p2bV5yJ3n9m0mJ1o5jvYQ8p3F5m2c="]
GEOCODER_ERROR_WAIT_SECONDS = 0  # outage tests would otherwise sleep between retries
# The suite never runs collectstatic: plain storage, so {% static %} needs no manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Django's flush between transactional tests truncates every table; the audit table's trigger
# refuses TRUNCATE unless the session allows it (backend/audit/migrations/0003_refuse_truncate.py).
# Behind PgBouncer (which refuses the `options` startup parameter) tests/db/pgbouncer.sh sets it
# on every server connection instead (PGBOUNCER_FOR_TESTS=1).
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"  # noqa: F405
    and DATABASE_POOLER != "pgbouncer"  # noqa: F405
):
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c audit.allow_truncate=on".strip()
