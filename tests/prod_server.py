"""Run this project the way production does, in a subprocess: helpers for the smoke tests."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def production_secrets() -> dict[str, str]:
    """Real, freshly generated secrets, as an operator would set them."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "PII_HASH_KEY": secrets.token_hex(20),
    }


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The process environment without the test run's Django settings, plus `extra`."""
    keep = {"PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    env.update(extra)
    return env


def get(url: str, *, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def wait_for(url: str, process: subprocess.Popen, *, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode} before answering {url}")
        try:
            status, _, _ = get(url, timeout=1.0)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@contextmanager
def running(
    command: list[str], *, env: Mapping[str, str], cwd: Path, log: Path, prefix: list[str] = ()
) -> Iterator[subprocess.Popen]:
    """Start `command` in its own process group; stop the whole group afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*prefix, *command],
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group (gunicorn's and celery's children too), SIGKILL if it lingers."""
    try:
        os.killpg(process.pid, 15)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
