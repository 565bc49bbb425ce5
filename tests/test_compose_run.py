"""The compose stack's commands really run: each app service's command line (web, worker, beat),
as an unprivileged user, in a read-only copy of the image's /app, with the compose file's
environment pointed at the local PostgreSQL and Redis instead of the `db` and `redis` services.

Docker is not needed: the copy holds what the Dockerfile copies, collectstatic runs as in the
build, then every file is made read-only. The user is `nobody`, keeping only CAP_DAC_READ_SEARCH
(read any file, write none): the interpreter here lives under root's home, which nobody may not
enter, while in the image it is world-readable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import redis
import yaml

from tests.prod_server import (
    ROOT,
    VENV_BIN,
    clean_environment,
    get,
    production_secrets,
    running,
    wait_for,
)

pytestmark = pytest.mark.postgres

WEB_PORT = 8702
REDIS_URL = "redis://127.0.0.1:6379/7"
NOBODY = 65534
AS_NOBODY = [
    "setpriv",
    f"--reuid={NOBODY}",
    f"--regid={NOBODY}",
    "--clear-groups",
    "--inh-caps=+dac_read_search",
    "--ambient-caps=+dac_read_search",
]


def interpolate(value: str, shell: Mapping[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, as `docker compose` resolves them."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3) or ""
        current = shell.get(name, "")
        if operator == ":?" and not current:
            raise AssertionError(f"compose refuses to start: {name}: {argument}")
        if operator == ":-" and not current:
            return argument
        return current

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, value)


def service_environment(service: dict, shell: Mapping[str, str]) -> dict[str, str]:
    return {name: interpolate(str(value), shell) for name, value in service["environment"].items()}


def image_copy(destination: Path) -> Path:
    """What the Dockerfile's final stage COPYs into /app, then its collectstatic, then
    read-only. A `COPY --from=<stage> /build/<path>` takes <path> from this checkout, where
    `make assets` built the same files the assets stage builds."""
    app = destination / "app"
    app.mkdir()
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    last_from = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    for line in lines[last_from:]:
        if not line.startswith("COPY "):
            continue
        words = line.split()[1:]
        from_stage = words[0].startswith("--from=")
        *sources, target = words[1:] if from_stage else words
        for source in sources:
            path = ROOT / (source.removeprefix("/build/") if from_stage else source)
            into = app / (target.rstrip("/") if target not in {".", "./"} else "")
            if path.is_dir():
                shutil.copytree(
                    path, into, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True
                )
            else:
                into.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, into / path.name)
    build_env = clean_environment({"DEBUG": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput"],
        cwd=app,
        env=build_env,
        check=True,
        capture_output=True,
    )
    subprocess.run(["chmod", "-R", "a-w", str(app)], check=True)
    return app


@pytest.fixture
def stack(tmp_path) -> Iterator[dict]:
    """The copy, a per-run temporary directory for nobody (the container's /tmp), a fresh
    database on the local PostgreSQL and an empty Redis DB 7."""
    base = Path(tempfile.mkdtemp(prefix="compose-run-"))
    base.chmod(0o755)
    container_tmp = base / "tmp"
    container_tmp.mkdir()
    os.chown(container_tmp, NOBODY, NOBODY)
    app = image_copy(base)

    server = dj_database_url.parse(os.environ["DATABASE_URL"])
    database = f"{server['NAME']}_compose"
    admin = (
        f"host={server['HOST']} port={server['PORT'] or 5432} user={server['USER']} dbname=postgres"
    )
    if server.get("PASSWORD"):
        admin += f" password={server['PASSWORD']}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')
    redis.Redis.from_url(REDIS_URL).flushdb()

    credentials = server["USER"] + (f":{server['PASSWORD']}" if server.get("PASSWORD") else "")
    local = {
        "DATABASE_URL": f"postgres://{credentials}@{server['HOST']}:{server['PORT'] or 5432}/{database}",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
    }
    if os.environ.get("DATABASE_POOLER"):  # behind PgBouncer (make test-pgbouncer): so is the stack
        local["DATABASE_POOLER"] = os.environ["DATABASE_POOLER"]
    try:
        yield {"app": app, "tmp": container_tmp, "logs": tmp_path, "local": local}
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(base)], check=False)
        shutil.rmtree(base, ignore_errors=True)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def command_of(service: dict) -> list[str]:
    # The container's port 8000 on every interface becomes a port of ours on loopback.
    return [part.replace("0.0.0.0:8000", f"127.0.0.1:{WEB_PORT}") for part in service["command"]]


def wait_in_log(log: Path, pattern: str, process: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if re.search(pattern, text):
            return text
        if process.poll() is not None:
            break
        time.sleep(0.3)
    text = log.read_text(errors="replace") if log.exists() else ""
    raise AssertionError(f"{pattern!r} not in {log.name} (exit {process.poll()}):\n{text[-3000:]}")


def test_web_worker_and_beat_run_as_an_unprivileged_user_in_a_read_only_app(stack):
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    shell = production_secrets()  # what the deployment docs tell the operator to export
    environments = {}
    for name in ("web", "worker", "beat"):
        environment = service_environment(services[name], shell)
        assert environment["DEBUG"] == "0"
        environment.update(stack["local"])
        environments[name] = clean_environment(
            {
                **environment,
                "HOME": str(stack["tmp"]),
                "TMPDIR": str(stack["tmp"]),
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
    logs = stack["logs"]
    with running(
        command_of(services["web"]),
        env=environments["web"],
        cwd=stack["app"],
        log=logs / "web.log",
        prefix=AS_NOBODY,
    ) as web:
        wait_for(f"http://127.0.0.1:{WEB_PORT}/healthz", web, seconds=90)
        status, _, body = get(f"http://127.0.0.1:{WEB_PORT}/healthz")
        assert status == 200, body
        ready, _, body = get(f"http://127.0.0.1:{WEB_PORT}/readyz")
        assert ready == 200, body  # migrated database and Redis both answer

        with (
            running(
                command_of(services["worker"]),
                env=environments["worker"],
                cwd=stack["app"],
                log=logs / "worker.log",
                prefix=AS_NOBODY,
            ) as worker,
            running(
                command_of(services["beat"]),
                env=environments["beat"],
                cwd=stack["app"],
                log=logs / "beat.log",
                prefix=AS_NOBODY,
            ) as beat,
        ):
            wait_in_log(
                logs / "worker.log",
                r"Connected to redis://(:\*\*@)?127\.0\.0\.1:6379/7",
                worker,
                60,
            )
            wait_in_log(logs / "worker.log", r"(celery|urgent)@\S+ ready", worker, 60)
            # Beat schedules the 5-second SMS dispatch; the worker receives and runs it.
            wait_in_log(logs / "beat.log", r"Sending due task sms-dispatch-due", beat, 60)
            worker_log = wait_in_log(
                logs / "worker.log", r"Task sms\.dispatch_due\[[^\]]+\] succeeded", worker, 60
            )
            assert beat.poll() is None and worker.poll() is None
            assert "Traceback" not in worker_log
    schedules = [p.name for p in stack["tmp"].iterdir() if p.name.startswith("celerybeat-schedule")]
    assert schedules, "beat kept no schedule in the writable temporary directory"
