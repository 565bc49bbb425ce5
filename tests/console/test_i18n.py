"""The Spanish catalogue: the committed .mo is the compiled .po (never stale), and every message
of the console has a Spanish translation."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES"


def _catalog(path: Path) -> dict[object, str]:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def test_the_committed_mo_is_the_compiled_po(tmp_path):
    if shutil.which("msgfmt") is None:
        pytest.skip("gettext's msgfmt is not installed (apt-get install gettext)")
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(CATALOGUE / "django.po")],
        check=True,
    )

    assert _catalog(CATALOGUE / "django.mo") == _catalog(fresh), (
        "locale/es/LC_MESSAGES/django.mo is stale: run `python manage.py compilemessages`"
    )


def test_every_console_message_is_translated():
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]

    untranslated = [
        entry for entry in entries if entry.rstrip().endswith('msgstr ""') or "#, fuzzy" in entry
    ]

    assert untranslated == []
