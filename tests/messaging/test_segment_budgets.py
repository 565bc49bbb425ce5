"""Every text of every language, with its longest values, is within its segment budget and in the
encoding its language is sent in; the README's budget table is the one the code computes."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from backend.languages import field_languages
from events.models import Event, Location, Shift
from messaging import budgets, catalog
from messaging.management.commands.sms_budgets import README_SETTINGS, budget_table
from messaging.models import SmsKind
from messaging.templates import encoding, render, segments, transliterate

README = Path(__file__).resolve().parents[2] / "README.md"
TABLE = re.compile(r"<!-- sms-budgets:start -->\n(.*?)\n<!-- sms-budgets:end -->", re.S)
DEFAULTS = README_SETTINGS


@pytest.fixture
def production_like(settings):
    for name, value in DEFAULTS.items():
        setattr(settings, name, value)
    return settings


@pytest.mark.parametrize("language", field_languages())
@pytest.mark.parametrize("name", budgets.text_names())
def test_every_text_is_within_its_budget_with_its_longest_values(production_like, name, language):
    worst = budgets.worst_case(name, language)

    assert not worst.over_budget, (worst.segments, worst.budget, worst.text)
    if language in production_like.SMS_TRANSLITERATE:
        assert worst.encoding == "GSM-7", [c for c in worst.text if encoding(c) != "GSM-7"]


def test_a_text_over_its_budget_fails_the_budget_command(production_like):
    production_like.SMS_ORGANIZATION_NAME = (
        "The Iowa Coalition for Migrant Justice and Dignity " * 2
    )

    with pytest.raises(CommandError, match="over budget: confirmation"):
        call_command("sms_budgets", "--language", "en", stdout=io.StringIO())


def test_a_template_with_a_field_of_unknown_length_is_refused(monkeypatch):
    monkeypatch.setattr(catalog, "text", lambda name, language: "{org}: {mystery}")

    with pytest.raises(budgets.UnknownFieldError, match="mystery"):
        budgets.worst_case("help", "en")


def test_the_readme_lists_every_text_s_worst_case_in_english_and_spanish(production_like):
    found = TABLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md has no <!-- sms-budgets:start --> table"

    expected = budget_table(budgets.worst_case_table(["en", "es"]))
    assert found.group(1) == expected, "run `python manage.py sms_budgets --update-readme`"


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("Capacitación en el café", "Capacitacion en el café"),  # é stays: it is GSM-7
        ("¿Niños? ¡Sí!", "¿Niños? ¡Si!"),
        ("“Quoted” — and…", '"Quoted" - and...'),
        ("Ça va, garçon", "Ça va, garÇon"),
        ("Bùi Thị Xuân", "Bùi Thi Xuan"),
    ],
)
def test_transliteration_spells_letters_outside_gsm7_and_keeps_the_gsm7_ones(written, sent):
    assert transliterate(written) == sent
    assert encoding(sent) == "GSM-7"


def test_text_outside_any_latin_spelling_is_kept_and_sent_as_ucs2():
    assert transliterate("مرحبا") == "مرحبا"
    assert encoding("مرحبا") == "UCS-2"


def _shift(title: str) -> Shift:
    event = Event(title=title, location=Location(name="Hall"), time_zone="America/Chicago")
    return Shift(event=event, role="driver", starts_at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC))


def test_an_accented_title_keeps_a_spanish_reminder_in_gsm7_when_transliterated(settings):
    settings.SMS_TRANSLITERATE = ["es"]
    text = render(SmsKind.REMINDER, "es", shift=_shift("Capacitación de acompañantes"))

    assert "Capacitacion de acompañantes" in text
    assert encoding(text) == "GSM-7"


def test_a_language_set_to_keep_its_accents_sends_them_as_ucs2(settings):
    settings.SMS_TRANSLITERATE = []
    text = render(SmsKind.REMINDER, "es", shift=_shift("Capacitación"))

    assert "Capacitación" in text
    assert encoding(text) == "UCS-2"
    assert segments(text) >= 2  # the same words cost more as UCS-2


def test_the_system_check_warns_when_the_deployment_s_name_breaks_a_budget(production_like):
    from django.core.checks import run_checks

    assert not [m for m in run_checks() if m.id == "sms.W010"]

    production_like.SMS_ORGANIZATION_NAME = "The Iowa Coalition for Migrant Justice " * 3
    warned = [m for m in run_checks() if m.id == "sms.W010"]

    assert warned and "'confirmation' text costs 3 segments" in warned[0].msg
