"""Settings come from the environment and refuse to start when production is misconfigured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.env import Env, secret_key

ROOT = Path(__file__).resolve().parent.parent


PRODUCTION_KEYS = {
    "FIELD_ENCRYPTION_KEYS": "abrwjA07BW6V8c1Mg4RSxP4qfhS2MDt073ZuWIGDTE8=",
    "PII_HASH_KEY": "h" * 40,
}


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the real settings module in a fresh interpreter with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import backend.settings as s; print(s.DEBUG, s.TIME_ZONE, s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_settings(DEBUG="0", ALLOWED_HOSTS="field.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_settings(DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="x.org")

    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_starts_with_its_variables():
    result = run_settings(
        DEBUG="0",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="field.example.org",
        **PRODUCTION_KEYS,
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "America/Chicago", "django.db.backends.postgresql"]


def test_production_refuses_to_start_without_encryption_keys():
    result = run_settings(DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="x.org")

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is required" in result.stderr


def test_debug_uses_a_dev_key_and_sqlite_by_default():
    result = run_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "America/Chicago", "django.db.backends.sqlite3"]


def test_time_zone_is_read_from_the_environment():
    result = run_settings(DEBUG="1", TIME_ZONE="America/Denver")

    assert result.stdout.split()[1] == "America/Denver"


def test_malformed_boolean_is_rejected_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be a boolean"):
        Env({"DEBUG": "maybe"}).bool("DEBUG")


def test_malformed_integer_is_rejected_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="SYNC_MAX_BATCH must be an integer"):
        Env({"SYNC_MAX_BATCH": "lots"}).int("SYNC_MAX_BATCH", 500)


def test_unknown_choice_is_rejected():
    with pytest.raises(ImproperlyConfigured, match="GEOCODER must be one of nominatim, off"):
        Env({"GEOCODER": "google"}).choice("GEOCODER", "off", {"off", "nominatim"})


def test_lists_are_comma_separated_and_trimmed():
    assert Env({"ALLOWED_HOSTS": " a.org, b.org ,,"}).list("ALLOWED_HOSTS") == ["a.org", "b.org"]


def test_secret_key_rules():
    assert secret_key(Env({}), debug=True).startswith("django-insecure")
    with pytest.raises(ImproperlyConfigured):
        secret_key(Env({}), debug=False)
    assert secret_key(Env({"SECRET_KEY": "s" * 50}), debug=False) == "s" * 50


def test_celery_accepts_json_only():
    from django.conf import settings

    from backend.celery import app

    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"


def test_deploy_check_passes_with_production_like_variables():
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    clean.update(
        DEBUG="0",
        SECRET_KEY="p" * 20 + "-Q9x!" + "z" * 40,
        ALLOWED_HOSTS="field.example.org",
        BEHIND_HTTPS_PROXY="1",
        **PRODUCTION_KEYS,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_empty_variable_means_the_default():
    assert Env({"DATABASE_URL": ""}).str("DATABASE_URL", "sqlite:///x") == "sqlite:///x"
