"""The domain never imports the HTTP layer.

Models, services, selectors and plain modules (notes, geometry, routing, privacy, tasks,
management commands...) of every app and of `backend/` must not import DRF nor anything
under an `api` package: the rules live in the domain, and HTTP is one way in among the
command line, Celery and the admin.

Checked statically over every module's imports (top level, inside functions and under
TYPE_CHECKING alike), so it is fast and needs no settings. Checking each domain module's own
imports is enough for the closure: a domain module can only reach the HTTP layer through a
domain module that imports it directly, and that one is checked too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("backend", "canvass", "events", "messaging")

# Third-party modules that are the HTTP layer (drf_spectacular is DRF's schema plugin).
FORBIDDEN_THIRD_PARTY = ("rest_framework", "drf_spectacular")

# Modules that are not domain modules although they sit outside an `api` package.
NOT_DOMAIN = {
    # The root URL configuration: it wires every app's API, its job is the HTTP layer.
    "backend.urls",
    # The Django admin is an HTTP entry point like the API; it reads the client's address
    # with the API's one helper.
    "backend.accounts.admin",
}

# Domain modules of other helpers' areas that still import the HTTP layer on this branch;
# their own branches move them or switch them to backend.errors. Removed at merge.
KNOWN_PENDING: set[str] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# Packages that are the HTTP layer wherever they sit: the API and the field console.
HTTP_PACKAGES = ("api", "console")


def _is_domain(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    if (
        any(name in parts[:-1] for name in HTTP_PACKAGES)
        or "migrations" in parts
        or "tests" in parts
    ):
        return False
    if path.name.startswith("test_") or path.name in ("tests.py", "conftest.py"):
        return False
    return _module_name(path) not in NOT_DOMAIN


def domain_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        if not (ROOT / package).is_dir():
            continue  # messaging/ exists once its app lands
        for path in sorted((ROOT / package).rglob("*.py")):
            if _is_domain(path):
                found[_module_name(path)] = path
    return found


def imported_names(module: str, path: Path) -> set[str]:
    """Every module the file names in an import, relative imports resolved; `from a import b`
    yields both `a` and `a.b` (b may be a submodule)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base = ".".join(base_parts[: len(base_parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def _is_http_layer(name: str) -> bool:
    parts = name.split(".")
    return parts[0] in FORBIDDEN_THIRD_PARTY or (
        parts[0] in PACKAGES and any(name in parts for name in HTTP_PACKAGES)
    )


def http_layer_imports(module: str, path: Path) -> list[str]:
    """The HTTP-layer modules the file imports, each named once (`a.api.b`, not also its
    members `a.api.b.X`)."""
    bad = {name for name in imported_names(module, path) if _is_http_layer(name)}
    return sorted(name for name in bad if not any(name.startswith(f"{other}.") for other in bad))


def test_domain_modules_do_not_import_the_http_layer():
    offenders = {
        module: bad
        for module, path in domain_modules().items()
        if module not in KNOWN_PENDING and (bad := http_layer_imports(module, path))
    }
    assert offenders == {}, "domain modules importing DRF or an api package: " + "; ".join(
        f"{module} -> {', '.join(bad)}" for module, bad in sorted(offenders.items())
    )


def test_known_pending_modules_still_exist_and_still_offend():
    """A module fixed (or moved) leaves the list: the list never hides a regression."""
    modules = domain_modules()
    stale = sorted(
        module
        for module in KNOWN_PENDING
        if module not in modules or not http_layer_imports(module, modules[module])
    )
    assert stale == []


def test_the_check_sees_a_forbidden_import(tmp_path, monkeypatch):
    """The check itself works: both kinds of import and a relative one are caught."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    package = tmp_path / "canvass" / "services"
    package.mkdir(parents=True)
    sample = package / "sample.py"
    sample.write_text(
        "from rest_framework import serializers\n"
        "def f():\n"
        "    from ..api.serializers import turf\n"
        "    import backend.api.errors\n"
        "    from canvass.console import views\n"
    )
    assert http_layer_imports("canvass.services.sample", sample) == [
        "backend.api.errors",
        "canvass.api.serializers",
        "canvass.console",
        "rest_framework",
    ]
    assert _is_domain(sample)
    assert not _is_domain(tmp_path / "canvass" / "api" / "views" / "turf.py")
    assert not _is_domain(tmp_path / "canvass" / "migrations" / "0001_initial.py")
    assert not _is_domain(tmp_path / "canvass" / "console" / "views.py")
    assert not _is_domain(tmp_path / "backend" / "console" / "views.py")


def _application_modules() -> dict[str, Path]:
    """Every module of the apps and of backend/, migrations included (they are code too)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


# Migrations that already ran keep their frozen choice labels (history is not rewritten).
FROZEN_MIGRATIONS = {
    "events.migrations.0002_sms_outbox_inbound_optouts",
    "events.migrations.0005_sms_reply_review_and_opt_out_phrases",
}


def test_only_the_sms_transport_names_the_sms_provider():
    """Twilio is known to backend/sms/ alone: everything else speaks of the provider in neutral
    words (a reason, a provider id, a signature), so a second provider is one new backend."""
    naming = sorted(
        module
        for module, path in _application_modules().items()
        if module != "backend.sms"
        and not module.startswith("backend.sms.")
        and module not in FROZEN_MIGRATIONS
        and "twilio" in path.read_text(encoding="utf-8").lower()
    )
    assert naming == []
