"""The voter-file import: report, households, idempotency, bad rows and bad files."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from backend.audit.models import AuditEvent
from backend.crypto import keyed_hash
from canvass.errors import ImportFileError
from canvass.models import GeocodeStatus, Household, Voter
from canvass.services.imports import voters_import
from tests.canvass.conftest import csv_bytes, load_precincts

pytestmark = pytest.mark.django_db

GOOD = [
    "IA001,Ana,Alvarez,DEM,1990,(515) 555-0101,123 North Main Street,,Des Moines,IA,50309,41.5868,-93.6250",
    "IA002,Ben,Alvarez,REP,1958,,123 N. Main St.,,Des Moines,IA,50309-1234,,",
    "IA003,Cy,Chen,NP,2001,515-555-0103,77 Oak Ave Apt 4,,Des Moines,IA,50310,41.60,-93.65",
]


def run(stream: io.BytesIO, **kwargs):
    return voters_import(actor=None, stream=stream, **kwargs)


def test_import_creates_voters_and_groups_same_address_into_one_household():
    report = run(csv_bytes(*GOOD))

    assert (report.rows_read, report.created, report.updated, report.skipped) == (3, 3, 0, 0)
    assert report.households_created == 2
    ana, ben = Voter.objects.get(state_voter_id="IA001"), Voter.objects.get(state_voter_id="IA002")
    assert ana.household_id == ben.household_id
    household = ana.household
    assert (household.street, household.city, household.state, household.zip_code) == (
        "123 N MAIN ST",
        "DES MOINES",
        "IA",
        "50309",
    )
    assert (household.latitude, household.longitude) == (41.5868, -93.625)
    assert household.geocode_status == GeocodeStatus.PROVIDED
    cy = Voter.objects.get(state_voter_id="IA003")
    assert (cy.household.street, cy.household.unit) == ("77 OAK AVE", "4")


def test_phone_is_stored_encrypted_in_e164_with_a_keyed_hash():
    run(csv_bytes(*GOOD))

    ana = Voter.objects.get(state_voter_id="IA001")
    assert ana.phone == "+15155550101"
    assert ana.phone_hash == keyed_hash("+15155550101")
    raw = Voter.objects.filter(pk=ana.pk).values_list("phone", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select phone from canvass_voter where id = %s", [ana.pk])
        stored = cursor.fetchone()[0]
    assert "5155550101" not in stored
    assert list(raw)


def test_imported_phones_are_fernet_tokens_under_the_newest_key_each_with_its_own_iv(settings):
    from cryptography.fernet import Fernet
    from django.db import connection

    newest, older = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [newest, older]
    same_phone = GOOD[2].replace("IA003", "IA004").replace("515-555-0103", "(515) 555-0101")

    run(csv_bytes(*GOOD, same_phone))

    with connection.cursor() as cursor:
        cursor.execute(
            "select state_voter_id, phone from canvass_voter where phone <> '' order by 1"
        )
        stored = dict(cursor.fetchall())
    assert sorted(stored) == ["IA001", "IA003", "IA004"]
    assert stored["IA001"] != stored["IA004"]  # same number, different token
    plain = {k: Fernet(newest.encode()).decrypt(v[7:].encode()).decode() for k, v in stored.items()}
    assert plain == {"IA001": "+15155550101", "IA003": "+15155550103", "IA004": "+15155550101"}
    assert Voter.objects.get(state_voter_id="IA004").phone_hash == keyed_hash("+15155550101")


def test_reimporting_an_updated_file_updates_by_voter_id_and_never_duplicates():
    run(csv_bytes(*GOOD))
    updated = [*GOOD[:2], GOOD[2].replace("Cy,Chen,NP", "Cy,Chen-Li,DEM")]

    report = run(csv_bytes(*updated))

    assert (report.created, report.updated, report.unchanged, report.skipped) == (0, 1, 2, 0)
    assert Voter.objects.count() == 3
    assert Household.objects.count() == 2
    cy = Voter.objects.get(state_voter_id="IA003")
    assert (cy.last_name, cy.party) == ("Chen-Li", "DEM")


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_still_import():
    lines = [
        GOOD[0],
        ",No,Id,DEM,1980,,1 Elm St,,Ames,IA,50010,,",
        "IA010,No,Address,DEM,1980,,,,Ames,IA,50010,,",
        "IA011,Bad,Coords,DEM,1980,,2 Elm St,,Ames,IA,50010,95.1,-93.6",
        "IA012,Bad,Phone,DEM,1980,555-01,3 Elm St,,Ames,IA,50010,,",
        "IA013,No,Number,DEM,1980,,Elm Street,,Ames,IA,50010,,",
        "IA014,Half,Coords,DEM,1980,,4 Elm St,,Ames,IA,50010,42.0,",
        GOOD[2],
    ]

    report = run(csv_bytes(*lines))

    assert (report.rows_read, report.created, report.skipped) == (8, 2, 6)
    assert report.errors == [
        {"line": 3, "reason": "missing voter id"},
        {"line": 4, "reason": "unparseable address: missing street address"},
        {"line": 5, "reason": "bad coordinates: latitude out of range"},
        {"line": 6, "reason": "bad phone number"},
        {"line": 7, "reason": "unparseable address: street address has no house number"},
        {"line": 8, "reason": "bad coordinates: latitude and longitude must come together"},
    ]
    assert set(Voter.objects.values_list("state_voter_id", flat=True)) == {"IA001", "IA003"}


def test_duplicated_voter_id_in_one_file_is_a_row_error_even_across_batches():
    lines = [GOOD[0], GOOD[2], GOOD[0].replace("Ana", "Anna")]

    report = run(csv_bytes(*lines), batch_size=1)

    assert report.created == 2
    assert report.errors == [
        {"line": 4, "reason": "duplicate voter id in this file (an earlier line)"}
    ]
    assert Voter.objects.get(state_voter_id="IA001").first_name == "Ana"


def test_duplicated_voter_id_within_a_batch_names_the_first_line():
    report = run(csv_bytes(GOOD[0], GOOD[0]))

    assert report.errors == [
        {"line": 3, "reason": "duplicate voter id in this file (first at line 2)"}
    ]


def test_header_variations_are_accepted_case_insensitively_and_bom_is_ignored():
    header = "Voter ID,FIRST NAME,LastName,Address1,Address2,City,ST,Zip Code,Lat,LNG,Phone Number"
    line = "IA100,Dee,Diaz,500 E Grand Ave,#2,Des Moines,ia,50309,41.59,-93.61,5155550111"

    report = run(csv_bytes(line, header=header, bom=True))

    assert report.created == 1
    voter = Voter.objects.get(state_voter_id="IA100")
    assert (voter.first_name, voter.household.street, voter.household.unit) == (
        "Dee",
        "500 E GRAND AVE",
        "2",
    )
    assert voter.household.state == "IA"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"   \n", "empty_file"),
        (
            "voter_id,first_name,last_name,street\nIA1,Zoë,Z,1 A St\n".encode("utf-16"),
            "bad_encoding",
        ),
        (
            "voter_id,first_name,last_name,street\nIA1,Zoë,Z,1 A St\n".encode("latin-1"),
            "bad_encoding",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_csv"),
        (b"voter_id,first\x00name,last_name,street\nIA1,Zo,Z,1 A St\n", "not_csv"),
        (b'{"voters": [1, 2, 3]}', "missing_columns"),
    ],
)
def test_bad_files_are_rejected_before_anything_is_written(content, code):
    run(csv_bytes(GOOD[0]))

    with pytest.raises(ImportFileError) as caught:
        run(io.BytesIO(content))

    assert caught.value.code == code
    assert Voter.objects.count() == 1


def _filler(count: int, start: int = 0) -> bytes:
    return b"".join(
        f"IA9{i:05d},Fill,Er,DEM,1980,,{i} Pine St,,Ames,IA,50010,,\n".encode()
        for i in range(start, start + count)
    )


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (b"IA999,Bad,\xff\xfe,DEM,1980,,1 A St,,Ames,IA,50010,,\n", "not UTF-8"),
        (b"IA999,Bad,N\x00ul,DEM,1980,,1 A St,,Ames,IA,50010,,\n", "NUL byte"),
    ],
)
@pytest.mark.parametrize("where", ["first_64k", "past_64k"])
def test_a_bad_line_anywhere_is_named_and_costs_no_good_line(bad, problem, where):
    before = 20 if where == "first_64k" else 2000  # 2000 filler lines are ~100 KiB
    head = csv_bytes(*GOOD).getvalue()
    stream = io.BytesIO(head + _filler(before) + bad + _filler(30, start=before))
    bad_line = 1 + len(GOOD) + before + 1

    report = run(stream, batch_size=500)

    assert report.aborted is None
    assert report.errors == [{"line": bad_line, "reason": report.errors[0]["reason"]}]
    assert problem in report.errors[0]["reason"]
    assert (report.rows_read, report.created, report.skipped) == (
        len(GOOD) + before + 31,
        len(GOOD) + before + 30,
        1,
    )
    assert Voter.objects.count() == len(GOOD) + before + 30
    assert not Voter.objects.filter(state_voter_id="IA999").exists()


def test_households_get_their_precinct_by_point_in_polygon_when_the_file_does_not_say():
    load_precincts(("Polk", "Des Moines 71"), ("Polk", "Des Moines 40"))
    # A point inside "DES MOINES-71" (its representative point).
    from shapely.geometry import shape

    from canvass.models import Precinct

    inside = shape(Precinct.objects.get(name="Des Moines 71").boundary).representative_point()
    line = f"IA200,Eve,Ek,DEM,1970,,9 Test St,,Des Moines,IA,50315,{inside.y},{inside.x}"

    run(csv_bytes(line))

    household = Voter.objects.get(state_voter_id="IA200").household
    assert household.precinct.name == "Des Moines 71"
    assert household.county == "Polk"


def test_precinct_named_in_the_file_matches_county_ignoring_case_and_punctuation():
    load_precincts(("Obrien", "Sheldon 1st Ward"))
    header = "voter_id,first_name,last_name,street,city,state,zip,county,precinct"
    line = "IA300,Fay,Fox,1 Main St,Sheldon,IA,51201,O'Brien,SHELDON 1ST WARD"

    report = run(csv_bytes(line, header=header))

    assert report.warnings == []
    assert Voter.objects.get(state_voter_id="IA300").household.precinct.county == "Obrien"


def test_import_is_audited_with_counts_only():
    run(csv_bytes(*GOOD))

    event = AuditEvent.objects.get(action="voters.import")
    assert event.details["created"] == 3
    assert "Ana" not in str(event.details) and "MAIN" not in str(event.details)


def test_import_voters_command_prints_the_report(tmp_path):
    path = tmp_path / "voters.csv"
    path.write_bytes(csv_bytes(*GOOD, ",x,y,DEM,,,1 A St,,Ames,IA,50010,,").getvalue())
    out = StringIO()

    call_command("import_voters", str(path), stdout=out)

    assert "rows read 4: created 3" in out.getvalue()
    assert "line 5: missing voter id" in out.getvalue()


def test_import_voters_command_fails_clearly_on_a_bad_file(tmp_path):
    path = tmp_path / "voters.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="empty"):
        call_command("import_voters", str(path), stdout=StringIO())


# --- API upload ------------------------------------------------------------------------------


def upload(content: bytes, name: str = "voters.csv") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def test_field_lead_uploads_a_voter_file_and_gets_a_job_with_the_report(
    client_for, lead_a, team_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead_a).post(
            "/api/voters/import", upload(csv_bytes(*GOOD).getvalue()), format="multipart"
        )

    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["team"]) == ("voters", team_a.pk)
    job = client_for(lead_a).get(f"/api/imports/{body['id']}").json()
    assert {k: job[k] for k in ("state", "rows_read", "rows_stored", "rows_skipped")} == {
        "state": "done",
        "rows_read": 3,
        "rows_stored": 3,
        "rows_skipped": 0,
    }
    assert job["counts"]["created"] == 3
    assert job["report"] == {"count": 0, "page": 1, "pages": 1, "results": []}
    assert AuditEvent.objects.get(action="voters.import").actor == lead_a


def test_organizer_upload_of_a_latin1_file_is_a_400_naming_the_file(client_for, organizer):
    content = "voter_id,first_name,last_name,street\nIA1,José,Núñez,1 A St\n".encode("latin-1")

    response = client_for(organizer).post("/api/voters/import", upload(content), format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_encoding"
    assert "file" in response.json()["error"]["fields"]


def test_upload_without_a_file_is_a_400(client_for, organizer):
    response = client_for(organizer).post("/api/voters/import", {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_canvasser_cannot_upload_a_voter_file(client_for, canvasser_a):
    response = client_for(canvasser_a).post(
        "/api/voters/import", upload(csv_bytes(*GOOD).getvalue()), format="multipart"
    )

    assert response.status_code == 403
    assert Voter.objects.count() == 0


def test_anonymous_cannot_upload_a_voter_file(client_for):
    response = client_for(None).post(
        "/api/voters/import", upload(csv_bytes(*GOOD).getvalue()), format="multipart"
    )

    assert response.status_code == 401


def test_a_large_upload_spooled_to_a_temporary_file_streams_the_same(
    client_for, organizer, settings, django_capture_on_commit_callbacks
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # force Django's TemporaryUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(organizer).post(
            "/api/voters/import", upload(csv_bytes(*GOOD, bom=True).getvalue()), format="multipart"
        )

    assert response.status_code == 202
    job = client_for(organizer).get(f"/api/imports/{response.json()['id']}").json()
    assert (job["state"], job["counts"]["created"]) == ("done", 3)


def _snapshot():
    from canvass.models import Household

    return (
        sorted(Voter.objects.values_list("id", "change_stamp", "updated_at", "last_import_id")),
        sorted(Household.objects.values_list("id", "change_stamp", "updated_at")),
    )


def test_an_unchanged_re_import_writes_no_row_not_even_its_change_stamp():
    content = csv_bytes(*GOOD).getvalue()
    run(io.BytesIO(content))
    before = _snapshot()

    report = run(io.BytesIO(content))

    assert (report.unchanged, report.created, report.updated) == (3, 0, 0)
    assert _snapshot() == before


def test_a_duplicate_of_an_unchanged_line_in_a_later_batch_is_still_caught():
    run(csv_bytes(*GOOD))
    lines = [*GOOD, GOOD[0].replace("Ana", "Anna")]

    report = run(csv_bytes(*lines), batch_size=1)

    assert report.unchanged == 3
    assert report.errors == [
        {"line": 5, "reason": "duplicate voter id in this file (an earlier line)"}
    ]
    assert Voter.objects.get(state_voter_id="IA001").first_name == "Ana"


@pytest.mark.parametrize("enabled", [True, False])
def test_the_import_leaves_the_garbage_collector_as_it_found_it(enabled):
    import gc

    was_enabled = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        frozen = gc.get_freeze_count()
        report = run(csv_bytes(*GOOD), batch_size=2)
        after = (gc.isenabled(), gc.get_freeze_count())
    finally:
        (gc.enable if was_enabled else gc.disable)()

    assert report.created == 3
    assert after == (enabled, frozen)
