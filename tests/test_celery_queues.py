"""Work queues by priority: every task has an explicit route, urgent work (texts, replies, safety
escalations, sync side effects) and bulk work (geocoding, imports, exports, purges) never share a
queue, and the compose file runs one worker for each group so a slow import never delays a text."""

from __future__ import annotations

from pathlib import Path

import yaml

from backend.celery import BULK_QUEUES, URGENT_QUEUES, app

ROOT = Path(__file__).resolve().parent.parent


def queue_of(task_name: str) -> str | None:
    route = app.amqp.router.route({}, task_name, args=(), kwargs={})
    queue = route.get("queue")
    return getattr(queue, "name", queue)


def project_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def worker_queues(service: str) -> set[str]:
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service][
        "command"
    ]
    return set(command[command.index("-Q") + 1].split(","))


def test_every_registered_task_has_an_explicit_route_to_a_named_queue():
    tasks = project_tasks()
    assert {"sms.dispatch_due", "imports.run", "geocode.pending"} <= set(tasks)
    for name in tasks:
        queue = queue_of(name)
        assert queue in URGENT_QUEUES + BULK_QUEUES, f"{name} routed to {queue!r}"


def test_texts_and_escalations_go_to_urgent_queues_and_slow_work_to_bulk_ones():
    assert queue_of("sms.dispatch_due") == "sms"
    assert queue_of("safety.escalate_due") == "safety"
    assert queue_of("imports.run") == "imports"
    assert queue_of("imports.resume_stalled") == "imports"
    assert queue_of("geocode.pending") == "geocoding"
    assert queue_of("privacy.retention_purge") == "maintenance"
    assert not set(URGENT_QUEUES) & set(BULK_QUEUES)


def test_a_task_with_no_route_would_land_on_a_queue_no_worker_consumes():
    default = app.conf.task_default_queue
    assert queue_of("reports.someday_new_task") in (None, default)
    assert default not in worker_queues("worker") | worker_queues("worker-bulk")


def test_compose_runs_one_worker_for_urgent_queues_and_one_for_bulk_queues():
    assert worker_queues("worker") == set(URGENT_QUEUES)
    assert worker_queues("worker-bulk") == set(BULK_QUEUES)


def test_a_task_sent_through_the_broker_carries_its_queue():
    """The producer side: `delay()` publishes to the routed queue, not the default one."""
    from canvass.tasks import import_job_run_task

    options = app.amqp.router.route({}, import_job_run_task.name, args=(1,), kwargs={})
    assert getattr(options["queue"], "name", None) == "imports"
