"""The texts' catalogues: compiled fresh, the same fields in every language, English fallback."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from backend.languages import field_languages, language_from_text
from events.models import Event, Location, Shift
from messaging import catalog
from messaging.models import SmsKind
from messaging.templates import WHEN_FIELDS, format_when, render

FIELD = re.compile(r"{(\w+)}")


def _entries(mo_path) -> dict[str, str]:
    with open(mo_path, "rb") as handle:
        translations = gettext.GNUTranslations(handle)
    return {name: translations.gettext(name) for name in catalog.names()}


@pytest.mark.parametrize("language", field_languages())
def test_the_committed_mo_file_is_the_compiled_po_file(tmp_path, language):
    if shutil.which("msgfmt") is None:
        pytest.skip("gettext's msgfmt is not installed (apt-get install gettext)")
    folder = catalog.LOCALE_DIR / language / "LC_MESSAGES"
    fresh = tmp_path / "sms.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(folder / "sms.po")], check=True
    )

    assert _entries(folder / "sms.mo") == _entries(fresh), (
        f"{folder}/sms.mo is stale: run `python manage.py compilemessages`"
    )


@pytest.mark.parametrize("language", field_languages())
def test_every_translation_uses_exactly_the_english_fields(language):
    for name in catalog.names():
        text = catalog.translated(name, language)
        if text is None:
            continue
        used = set(FIELD.findall(text))
        if name == "when":  # each language picks its clock from the fields a time offers
            assert used <= WHEN_FIELDS, (language, text)
        else:
            assert used == set(FIELD.findall(catalog.text(name, "en"))), (language, name, text)


def test_every_configured_language_has_a_catalogue_and_english_is_complete():
    assert {"en", "es", "vi", "ar", "sw", "fr"} <= set(field_languages())
    for language in field_languages():
        assert (catalog.LOCALE_DIR / language / "LC_MESSAGES" / "sms.po").exists(), language
    assert catalog.missing("en") == []


def test_a_language_without_a_translation_falls_back_to_english_and_is_reported(settings):
    settings.SMS_ORGANIZATION_NAME = "Org"
    shift = Shift(
        event=Event(title="Training", location=Location(name="Hall"), time_zone="America/Chicago"),
        role="driver",
        starts_at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
    )
    gaps = {row.language: row for row in catalog.fallback_report()}
    english = render(SmsKind.REMINDER, "en", shift=shift)

    if SmsKind.REMINDER in gaps["sw"].missing:
        assert render(SmsKind.REMINDER, "sw", shift=shift) == english
        assert catalog.language_of(SmsKind.REMINDER, "sw") == "en"
    assert gaps["en"].translated == gaps["en"].total
    assert gaps["es"].missing == []
    assert render(SmsKind.REMINDER, "xx", shift=shift) == english


def test_the_shift_time_follows_each_language_s_own_format():
    moment = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 18:00 on Monday in Des Moines

    assert format_when(moment, "America/Chicago", "en") == "Mon Nov 30 6:00PM"
    assert format_when(moment, "America/Chicago", "es") == "lun 30 nov 18:00"


@pytest.mark.parametrize(
    ("written", "code"),
    [("Spanish", "es"), ("ESPAÑOL", "es"), ("es-MX", "es"), ("Vietnamese", "vi"), ("", None)],
)
def test_a_written_language_is_read_as_its_code(written, code):
    assert language_from_text(written) == code


def test_a_language_outside_the_configured_list_is_not_read(settings):
    settings.FIELD_LANGUAGES = ["en", "es"]

    assert language_from_text("French") is None
