"""Shared set-up for benchmarks: a scratch PostgreSQL database beside DATABASE_URL's.

The benchmarks create `<name>_bench`, migrate it, and drop it at the end, so they never touch
the data in the database DATABASE_URL names.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def scratch_database() -> tuple[str, str]:
    """(admin URL, scratch URL) derived from DATABASE_URL, which must be PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the bench uses a scratch copy).")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "postgres"
    admin = urlunsplit(parts._replace(path="/postgres"))
    scratch = urlunsplit(parts._replace(path=f"/{name}_bench"))
    return admin, scratch


def setup() -> str:
    """Create and migrate the scratch database, configure Django on it; returns its name."""
    import psycopg

    admin, scratch = scratch_database()
    name = urlsplit(scratch).path.lstrip("/")
    with psycopg.connect(_libpq(admin), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = scratch
    os.environ.setdefault("DEBUG", "1")
    os.environ["GEOCODER"] = "off"
    os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # DEBUG settings load without secrets, but DEBUG also logs every query in memory, which
    # would distort the memory figures: switch it off at run time, with throwaway keys.
    from cryptography.fernet import Fernet
    from django.conf import settings

    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS or [
        Fernet.generate_key().decode()
    ]
    settings.PII_HASH_KEY = settings.PII_HASH_KEY or Fernet.generate_key().decode()
    return name


def teardown(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin, _ = scratch_database_from(name)
    with psycopg.connect(_libpq(admin), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scratch_database_from(name: str) -> tuple[str, str]:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}"))


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def libpq_url() -> str:
    return _libpq(os.environ["DATABASE_URL"])
