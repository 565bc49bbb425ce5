"""Generate a Python client from the live schema with openapi-python-client, as a mobile team
would generate theirs, and import it from a temporary directory (tests/test_generated_client.py,
tests/test_schema_contract.py)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

PACKAGE = "field_api_client"
GENERATOR = [sys.executable, "-m", "openapi_python_client"]
# What the generator prints when it skips or degrades part of the schema.
WARNING_MARKERS = re.compile(r"warning|unable to|could not|will not be generated|invalid", re.I)


@dataclass(frozen=True)
class GeneratedClient:
    schema: dict
    directory: Path
    output: str
    package: ModuleType

    def module(self, dotted: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.{dotted}")

    def operation_modules(self) -> set[str]:
        api = self.directory / PACKAGE / "api"
        return {path.stem for path in api.glob("*/*.py") if path.stem != "__init__"}


def generate(schema: dict, workdir: Path) -> GeneratedClient:
    """Run the generator in a subprocess (no post hooks: the output is checked, not formatted)."""
    schema_file = workdir / "schema.json"
    schema_file.write_text(json.dumps(schema))
    config = workdir / "config.json"
    config.write_text(json.dumps({"post_hooks": [], "package_name_override": PACKAGE}))
    result = subprocess.run(
        [
            *GENERATOR,
            "generate",
            "--path",
            str(schema_file),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(workdir / PACKAGE),
            "--overwrite",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise AssertionError(f"openapi-python-client failed ({result.returncode}):\n{output}")
    # The package stays importable for the session (its submodules are imported lazily).
    sys.path.insert(0, str(workdir))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    package = importlib.import_module(PACKAGE)
    return GeneratedClient(schema=schema, directory=workdir, output=output, package=package)


def module_name(operation_id: str) -> str:
    """The module name openapi-python-client gives an operationId (snake case, `.` dropped)."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", operation_id.lower())).strip("_")
