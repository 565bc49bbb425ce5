"""A misconfigured SMS setup stops the web server and the dispatcher at start, naming the
variable, instead of failing at the first text (launched for real, in subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")

BAD_SETUPS = {
    "unknown_backend": ({"SMS_BACKEND": "carrier-pigeon"}, "SMS_BACKEND"),
    "twilio_without_token": (
        {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": "",
            "TWILIO_FROM_NUMBER": "+15155550100",
        },
        "TWILIO_AUTH_TOKEN",
    ),
    "twilio_without_sid": (
        {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": "",
            "TWILIO_AUTH_TOKEN": "secret",
            "TWILIO_FROM_NUMBER": "+15155550100",
        },
        "TWILIO_ACCOUNT_SID",
    ),
    "twilio_without_sender": (
        {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": "secret",
            "TWILIO_FROM_NUMBER": "",
            "TWILIO_MESSAGING_SERVICE_SID": "",
        },
        "TWILIO_FROM_NUMBER",
    ),
}


def _env(overrides: dict[str, str]) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SMS_", "TWILIO_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{ROOT / 'var' / 'startup-check.sqlite3'}",
        **overrides,
    )
    return env


def _run(args: list[str], overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=ROOT, env=_env(overrides), capture_output=True, text=True, timeout=60
    )


COMMANDS = {
    "manage_check": [sys.executable, "manage.py", "check"],
    "dispatcher": [sys.executable, "manage.py", "dispatch_sms", "--loop", "--interval", "60"],
    # Port 0: any free port, so parallel runs of this test never collide on a bind.
    "gunicorn": [str(GUNICORN), "backend.wsgi", "-b", "127.0.0.1:0", "--workers", "1"],
    "celery_worker": [
        sys.executable,
        *("-m", "celery", "-A", "backend", "worker", "--pool", "solo"),
        *("--without-mingle", "--without-gossip"),
    ],
    "celery_beat": [
        sys.executable,
        *("-m", "celery", "-A", "backend", "beat", "--schedule", str(ROOT / "var" / "beat-check")),
    ],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("setup", sorted(BAD_SETUPS))
def test_a_misconfigured_sms_setup_stops_the_process_at_start(command, setup):
    overrides, variable = BAD_SETUPS[setup]

    result = _run(COMMANDS[command], overrides)

    assert result.returncode != 0, result.stdout
    assert variable in result.stderr, result.stderr[-2000:]
    assert "ImproperlyConfigured" in result.stderr


def test_a_correct_twilio_setup_passes_the_start_check():
    result = _run(
        [sys.executable, "manage.py", "check"],
        {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_AUTH_TOKEN": "secret",
            "TWILIO_FROM_NUMBER": "+15155550100",
        },
    )

    assert result.returncode == 0, result.stderr[-2000:]
