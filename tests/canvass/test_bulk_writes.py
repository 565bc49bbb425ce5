"""The import's bulk writers merge rows that appeared since the caller looked (a concurrent
import), on the fast path and the fallback alike."""

from __future__ import annotations

import pytest
from django.utils import timezone

from canvass.models import GeocodeStatus, Household, Voter
from canvass.services.bulk import VOTER_COLUMNS, households_insert, voters_upsert
from tests.canvass.conftest import make_household, make_voter

pytestmark = pytest.mark.django_db


def new_household(key: str) -> Household:
    return Household(
        street="1 A ST",
        city="AMES",
        state="IA",
        zip_code="50010",
        address_key=key,
        geocode_status=GeocodeStatus.PENDING,
    )


def voter_row(voter_id: str, household_id: int, first_name: str) -> tuple:
    now = timezone.now()
    values = {
        "state_voter_id": voter_id,
        "first_name": first_name,
        "middle_name": "",
        "last_name": "Zed",
        "party": "",
        "birth_year": None,
        "phone": "+15155550199",
        "phone_hash": "",
        "language": "",
        "household_id": household_id,
        "last_import_id": None,
        "source_hash": "",
        "created_at": now,
        "updated_at": now,
    }
    return tuple(values[column] for column in VOTER_COLUMNS)


def test_households_insert_sets_ids_and_reuses_an_address_inserted_meanwhile():
    taken = make_household(None, None, address_key="1 A ST||50010|IA")
    fresh, clash = new_household("2 A ST||50010|IA"), new_household("1 A ST||50010|IA")

    households_insert([fresh, clash], timezone.now())

    assert clash.pk == taken.pk
    assert Household.objects.get(pk=fresh.pk).address_key == "2 A ST||50010|IA"
    assert Household.objects.count() == 2


def test_households_insert_fast_path_sets_ids():
    first, second = new_household("3 A ST||50010|IA"), new_household("4 A ST||50010|IA")

    households_insert([first, second], timezone.now())

    assert {first.pk, second.pk} == set(Household.objects.values_list("id", flat=True))


def test_voters_upsert_said_all_new_still_merges_a_voter_inserted_meanwhile():
    household = make_household(None, None)
    make_voter(household, state_voter_id="IA777", first_name="Old")

    voters_upsert(
        [voter_row("IA777", household.pk, "New"), voter_row("IA778", household.pk, "Other")],
        all_new=True,
    )

    assert Voter.objects.get(state_voter_id="IA777").first_name == "New"
    assert Voter.objects.get(state_voter_id="IA778").phone == "+15155550199"
    assert Voter.objects.count() == 2


def test_seen_record_tells_new_ids_from_ids_remembered_meanwhile():
    from canvass.models import ImportSeenVoter, VoterImport
    from canvass.services.bulk import seen_record

    run = VoterImport.objects.create(source_name="seen.csv")

    assert seen_record(run.pk, ["IA1", "IA2"]) == {"IA1", "IA2"}
    # IA2 was remembered meanwhile (another worker on the same run): only IA3 is new.
    assert seen_record(run.pk, ["IA2", "IA3"]) == {"IA3"}
    assert sorted(
        ImportSeenVoter.objects.filter(import_run=run).values_list("state_voter_id", flat=True)
    ) == ["IA1", "IA2", "IA3"]
