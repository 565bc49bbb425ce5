"""A clone with nothing beside it: tests that read the public test data skip instead of failing.

The suite reads real outside material (Iowa precincts, Twilio signature vectors, Nominatim
examples, reference calendars) from settings.SHARED_DATA_DIR, `../shared/data` beside the clone.
Where that directory is missing, a test or test module that fails only because it could not open
a file there is reported as skipped, naming the file. In CI the data must be there: nothing is
converted, a missing file fails as usual.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

REASON = "needs the public test data {name} in SHARED_DATA_DIR ({directory}); not beside this clone"


def _shared_dir() -> Path:
    from django.conf import settings

    return Path(settings.SHARED_DATA_DIR).resolve()


def _configured_dir() -> Path:
    from django.conf import settings

    return Path(settings.SHARED_DATA_DIR)


def _active() -> bool:
    return not os.environ.get("CI")


def _missing_file(error: BaseException | None) -> str | None:
    """The shared-data file name when `error` is, or was raised while handling, "that file is not
    in SHARED_DATA_DIR" (an importer may turn it into its own error)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, FileNotFoundError) and error.filename:
            path = Path(os.fsdecode(error.filename)).resolve()
            if path.is_relative_to(_shared_dir()):
                return str(path.relative_to(_shared_dir()))
        # Or a command's own "No such file: <path>" naming a missing file there.
        for directory in {str(_shared_dir()), str(_configured_dir())}:
            for match in re.finditer(re.escape(directory) + r"/[\w./-]+", str(error)):
                path = Path(match.group(0).rstrip(".")).resolve()
                if not path.exists():
                    return str(path.relative_to(_shared_dir()))
        error = error.__cause__ or error.__context__
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[Any]:
    outcome = yield
    report = outcome.get_result()
    if not _active() or call.excinfo is None or not report.failed:
        return
    name = _missing_file(call.excinfo.value)
    if name is None:
        return
    report.outcome = "skipped"
    report.longrepr = (
        str(item.path),
        item.location[1],
        "Skipped: " + REASON.format(name=name, directory=_shared_dir()),
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[Any]:
    outcome = yield
    report = outcome.get_result()
    if not _active() or not report.failed or not isinstance(collector, pytest.Module):
        return
    # A module that reads the data at import: find the file it could not open.
    try:
        collector.obj  # noqa: B018  (imports the module again, now to catch the error)
    except Exception as error:
        name = _missing_file(error)
    else:
        return
    if name is None:
        return
    report.outcome = "skipped"
    report.longrepr = (
        str(collector.path),
        None,
        "Skipped: " + REASON.format(name=name, directory=_shared_dir()),
    )
