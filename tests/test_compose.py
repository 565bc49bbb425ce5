"""The compose file runs entry points that exist and sets only variables the settings read."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_variables() -> set[str]:
    # The SMS provider's variables are read beside its backend (settings.py imports them).
    source = "".join(
        (ROOT / path).read_text()
        for path in ("backend/settings.py", "backend/env.py", "backend/sms/provider_settings.py")
    )
    return set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', source))


def test_stack_has_the_expected_services():
    services = compose()["services"]

    assert set(services) == {"db", "redis", "web", "worker", "worker-bulk", "beat"}
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert (ROOT / "Dockerfile").is_file()


def test_every_app_command_names_an_existing_entry_point():
    services = compose()["services"]
    for name in ("web", "worker", "worker-bulk", "beat"):
        command = " ".join(services[name]["command"])
        for module in re.findall(r"gunicorn ([\w.]+):(\w+)", command):
            path = ROOT / (module[0].replace(".", "/") + ".py")
            assert path.is_file(), f"{name}: {path} missing"
            assert f"{module[1]} =" in path.read_text()
        for app in re.findall(r"celery -A (\w+)", command):
            assert (ROOT / app / "celery.py").is_file(), f"{name}: celery app {app} missing"
        if "manage.py" in command:
            assert (ROOT / "manage.py").is_file()
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_every_variable_compose_sets_is_read_by_settings():
    read = settings_variables()
    for name in ("web", "worker", "worker-bulk", "beat"):
        for variable in compose()["services"][name]["environment"]:
            assert variable in read, f"{name} sets {variable}, which settings never read"


def test_every_variable_settings_read_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.MULTILINE))

    assert settings_variables() - documented == set()


def test_the_deployment_docs_export_every_secret_compose_requires():
    source = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", source))
    docs = (ROOT / "docs" / "deployment.md").read_text()
    snippet = docs.split("```sh", 1)[1].split("```", 1)[0]
    exported = set(re.findall(r"^export (\w+)=", snippet, flags=re.MULTILINE))

    assert required == {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "PII_HASH_KEY"}
    assert required - exported == set()
    assert "docker compose up" in snippet


def test_the_image_builds_the_static_files_and_the_docs_say_so():
    dockerfile = (ROOT / "Dockerfile").read_text()
    docs = (ROOT / "docs" / "deployment.md").read_text()

    assert "manage.py collectstatic --noinput" in dockerfile
    assert "manage.py collectstatic --noinput" in docs
