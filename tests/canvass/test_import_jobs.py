"""Imports as jobs: 202 with a job, progress and a paged report at /api/imports/{id}, scoped to
the team; a job interrupted mid-file resumes without writing a row twice; jobs of one team take
turns; the command's progress output."""

from __future__ import annotations

import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from canvass.models import ImportJob, ImportJobProblem, ImportKind, Voter
from canvass.services.import_jobs import import_job_create, import_job_run
from events.models import Location
from tests.canvass.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def rows(count: int, start: int = 0) -> list[str]:
    return [
        f"IA{i:06d},Ann,Lee{i},DEM,1980,,{i + 1} Elm St,,Ames,IA,50010,42.03,-93.62"
        for i in range(start, start + count)
    ]


def upload(content: bytes, name: str = "voters.csv") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def post_voters(client, content: bytes, capture, **extra):
    with capture(execute=True):
        return client.post("/api/voters/import", {**upload(content), **extra}, format="multipart")


def test_the_job_reports_counts_and_a_paged_report_with_line_numbers(
    client_for, lead_a, django_capture_on_commit_callbacks
):
    lines = rows(5)
    lines[1] = "IA900001,,,DEM,1980,,1 Elm St,,Ames,IA,50010,,"  # line 3: no name
    lines[3] = "IA900002,Bo,Bee,DEM,1980,,Elm St,,Ames,IA,50010,,"  # line 5: no house number
    content = csv_bytes(*lines).getvalue() + b"IA900003,N\x00,X,DEM,1980,,1 A St,,Ames,IA,50010,,\n"

    response = post_voters(client_for(lead_a), content, django_capture_on_commit_callbacks)

    assert response.status_code == 202
    job_id = response.json()["id"]
    first = client_for(lead_a).get(f"/api/imports/{job_id}?page_size=2").json()
    assert {k: first[k] for k in ("state", "rows_read", "rows_stored", "rows_skipped")} == {
        "state": "done",
        "rows_read": 6,
        "rows_stored": 3,
        "rows_skipped": 3,
    }
    assert (first["progress"], first["eta_seconds"]) == (1.0, None)
    assert first["report"]["count"] == 3 and first["report"]["pages"] == 2
    second = client_for(lead_a).get(f"/api/imports/{job_id}?page_size=2&page=2").json()
    lines_seen = [p["line"] for p in first["report"]["results"] + second["report"]["results"]]
    assert lines_seen == [3, 5, 7]
    assert "NUL byte" in second["report"]["results"][0]["reason"]
    assert Voter.objects.count() == 3


def test_another_teams_job_is_a_404_and_a_canvasser_gets_403(
    client_for, lead_a, lead_b, canvasser_a, organizer, django_capture_on_commit_callbacks
):
    job_id = post_voters(
        client_for(lead_a), csv_bytes(*rows(2)).getvalue(), django_capture_on_commit_callbacks
    ).json()["id"]

    assert client_for(lead_b).get(f"/api/imports/{job_id}").status_code == 404
    assert client_for(lead_b).get("/api/imports/999999").status_code == 404
    assert client_for(canvasser_a).get(f"/api/imports/{job_id}").status_code == 403
    assert client_for(organizer).get(f"/api/imports/{job_id}").status_code == 200
    assert client_for(lead_a).get(f"/api/imports/{job_id}?page=0").status_code == 400


def test_a_field_lead_cannot_file_a_job_under_another_team(
    client_for, lead_a, team_b, django_capture_on_commit_callbacks
):
    response = post_voters(
        client_for(lead_a),
        csv_bytes(*rows(1)).getvalue(),
        django_capture_on_commit_callbacks,
        team=team_b.pk,
    )

    assert response.status_code == 400
    assert "team" in response.json()["error"]["fields"]
    assert ImportJob.objects.count() == 0 and Voter.objects.count() == 0


def test_a_file_that_is_not_a_voter_file_is_a_400_and_no_job(client_for, lead_a):
    response = client_for(lead_a).post(
        "/api/voters/import", upload(b"name,address\nx,y\n"), format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_columns"
    assert ImportJob.objects.count() == 0


def test_a_job_interrupted_after_a_batch_resumes_where_it_stopped_without_duplicates(
    tmp_path, team_a
):
    path = tmp_path / "voters.csv"
    lines = rows(1200)
    lines[700] = lines[3]  # a duplicate voter id across the interruption
    path.write_bytes(csv_bytes(*lines).getvalue())
    job = import_job_create(
        actor=None, kind=ImportKind.VOTERS, upload=None, path=path, team=team_a, enqueue=False
    )

    # The worker "dies" after its first committed batch: that batch and its checkpoint stay.
    job = import_job_run(job_id=job.pk, max_batches=1, batch_size=500)
    assert (job.state, job.rows_stored, Voter.objects.count()) == ("running", 500, 500)
    first_rows = dict(Voter.objects.values_list("state_voter_id", "change_stamp"))

    out = StringIO()
    call_command("import_voters", "--resume", str(job.pk), stdout=out)

    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 2
    assert (job.rows_read, job.rows_stored, job.rows_skipped) == (1200, 1199, 1)
    assert Voter.objects.count() == 1199
    assert list(job.problems.values_list("line", "reason")) == [
        (702, "duplicate voter id in this file (an earlier line)")
    ]
    # The first batch was not written again.
    again = dict(
        Voter.objects.filter(state_voter_id__in=first_rows).values_list(
            "state_voter_id", "change_stamp"
        )
    )
    assert again == first_rows
    assert f"job {job.pk} done: rows read 1200" in out.getvalue()


def test_the_command_prints_plain_progress_lines_when_not_on_a_terminal(tmp_path):
    path = tmp_path / "voters.csv"
    path.write_bytes(csv_bytes(*rows(30)).getvalue())
    out = StringIO()

    call_command("import_voters", str(path), stdout=out)

    text = out.getvalue()
    assert "progress 100%: rows read 30, stored 30, skipped 0" in text
    assert Voter.objects.count() == 30
    assert Path(ImportJob.objects.get().upload_path) == path.resolve()  # a command's file stays


def test_the_command_refuses_a_missing_file_and_an_unknown_job(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("import_voters", str(tmp_path / "missing.csv"), stdout=StringIO())
    with pytest.raises(CommandError, match="No voter import job 99"):
        call_command("import_voters", "--resume", "99", stdout=StringIO())


def test_an_organizer_imports_caucus_sites_as_a_job_and_a_field_lead_may_not(
    client_for, organizer, lead_a, django_capture_on_commit_callbacks
):
    content = (
        b"county_name,precinct_id,name,address\n"
        b'Polk,DM-1,HALL A,"1 MAIN ST, DES MOINES, IA 50309"\n'
        b'Polk,DM-2,HALL \xff,"2 MAIN ST, DES MOINES, IA 50309"\n'
        b'Polk,DM-3,HALL C,"3 MAIN ST, DES MOINES, IA 50309"\n'
    )

    assert (
        client_for(lead_a)
        .post("/api/locations/import", upload(content, "sites.csv"), format="multipart")
        .status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(organizer).post(
            "/api/locations/import", upload(content, "sites.csv"), format="multipart"
        )

    assert response.status_code == 202
    job = client_for(organizer).get(f"/api/imports/{response.json()['id']}").json()
    assert (job["kind"], job["state"], job["rows_read"], job["rows_skipped"]) == (
        "sites",
        "done",
        3,
        1,
    )
    assert job["report"]["results"][0]["reason"].startswith("line 3: not UTF-8")
    assert sorted(Location.objects.values_list("name", flat=True)) == ["HALL A", "HALL C"]
    assert not Path(ImportJob.objects.get().upload_path).exists()  # the upload is discarded


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_team_take_turns_and_never_interleave(tmp_path, team_a):
    jobs = []
    for n in range(2):
        path = tmp_path / f"voters{n}.csv"
        path.write_bytes(csv_bytes(*rows(1500, start=n * 10000)).getvalue())
        jobs.append(
            import_job_create(
                actor=None,
                kind=ImportKind.VOTERS,
                upload=None,
                path=path,
                team=team_a,
                enqueue=False,
            )
        )
    errors: list[BaseException] = []

    def work(job_id: int) -> None:
        try:
            import_job_run(job_id=job_id, batch_size=300)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job.pk,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    first, second = sorted(ImportJob.objects.all(), key=lambda job: job.started_at)
    assert first.state == second.state == "done"
    assert first.finished_at <= second.started_at
    assert Voter.objects.count() == 3000
    assert ImportJobProblem.objects.count() == 0


@pytest.mark.postgres
def test_a_large_import_leaves_the_planner_statistics_of_what_it_wrote(
    client_for, lead_a, django_capture_on_commit_callbacks, monkeypatch
):
    from canvass.services import import_jobs

    monkeypatch.setattr(import_jobs, "ANALYZE_AFTER_ROWS", 20)  # 10,000 in production

    response = post_voters(
        client_for(lead_a), csv_bytes(*rows(37)).getvalue(), django_capture_on_commit_callbacks
    )

    assert response.status_code == 202
    # (ANALYZE writes pg_class in place: no rollback undoes it, so the count is one no other
    # test stores.)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'canvass_voter'")
        assert cursor.fetchone()[0] == 37
