"""Public signup throttles: a Retry-After on every 429, and exactly the limit under concurrency."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from events.models import Signup
from tests.events.helpers import signup_body
from tests.test_throttles import assert_retry_after

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rates", "vary_phone"),
    [({"signup": "2/hour", "signup_phone": "100/hour"}, True), ({"signup_phone": "2/hour"}, False)],
    ids=["per-ip", "per-phone"],
)
def test_the_signup_throttles_say_when_to_retry(
    api_client, make_shift, monkeypatch, rates, vary_phone
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates}
    )
    # Separate shifts: one number may sign up for each once.
    shifts = [make_shift(starts_at=timezone.now() + timedelta(days=d)) for d in (3, 5, 7)]
    start = timezone.now().replace(minute=59, second=0, microsecond=0)

    with time_machine.travel(start, tick=False):  # a minute before the hourly window turns
        answers = [
            api_client.post(
                f"/api/public/shifts/{shifts[n].pk}/signups",
                signup_body(n if vary_phone else 1),
                format="json",
                REMOTE_ADDR="198.51.100.9" if vary_phone else f"198.51.100.{n + 10}",
            )
            for n in range(3)
        ]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert assert_retry_after(answers[2]) == 60
    assert Signup.objects.count() == 2


# --- Concurrency: real gunicorn workers sharing Redis -----------------------------------------

GUNICORN_PORT = 8201  # this checkout's test port range (loopback only)
WORKERS = 4
THREADS = 8
LIMIT = 20
SIMULTANEOUS = 30
ROUNDS = 3  # one burst may miss the race by luck; three in a row hardly ever do


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_up(base: str, server, deadline: float) -> None:
    import time
    import urllib.request

    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not come up in time")


def _post_together(base: str, path: str, bodies: list[dict]) -> list[tuple[int, str | None]]:
    import http.client
    import json
    import threading

    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, str | None]] = [(0, None)] * len(bodies)
    host, port = base.removeprefix("http://").split(":")

    def post(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.connect()  # connect first, so the barrier releases only the requests
        barrier.wait()
        connection.request(
            "POST", path, json.dumps(bodies[index]), {"Content-Type": "application/json"}
        )
        answer = connection.getresponse()
        answer.read()
        results[index] = (answer.status, answer.getheader("Retry-After"))
        connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_signups_on_several_workers_get_exactly_the_ip_limit(make_shift):
    """30 signups at once from one address, on 4 gunicorn workers (8 threads each) sharing Redis:
    exactly 20 land.

    DRF's read-check-write throttle let 23 of 30 through here; the counter is now one atomic
    increment in Redis."""
    import os
    import subprocess
    import sys
    import time

    import redis

    from tests.redis import redis_url_or_skip

    redis_url = redis_url_or_skip()
    store = redis.Redis.from_url(redis_url)

    def clear_counters() -> None:
        # The client address is 127.0.0.1 on every run: start each burst from an empty counter.
        stale = list(store.scan_iter(match="*throttle_signup*"))
        if stale:
            store.delete(*stale)

    shifts = [  # on different days: the same volunteers sign up for each
        make_shift(capacity=SIMULTANEOUS + 10, starts_at=timezone.now() + timedelta(days=3 + day))
        for day in range(ROUNDS)
    ]
    base = f"http://127.0.0.1:{GUNICORN_PORT}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DEBUG": "1",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": "",
        "SMS_BACKEND": "backend.sms.backends.locmem.SmsBackend",
        "THROTTLE_SIGNUP": f"{LIMIT}/hour",
        "THROTTLE_SIGNUP_PHONE": "100/hour",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "GEOCODER": "off",
    }
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "backend.wsgi"),
            *("--bind", f"127.0.0.1:{GUNICORN_PORT}", "--workers", str(WORKERS)),
            # Threads too, so requests really meet at the counter on a two-core machine.
            *("--worker-class", "gthread", "--threads", str(THREADS)),
            *("--preload", "--timeout", "60", "--graceful-timeout", "5"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(base, server, time.monotonic() + 60)
        rounds = []
        for shift in shifts:
            clear_counters()
            rounds.append(
                _post_together(
                    base,
                    f"/api/public/shifts/{shift.pk}/signups",
                    [signup_body(n) for n in range(SIMULTANEOUS)],
                )
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)

    for shift, results in zip(shifts, rounds, strict=True):
        statuses = sorted(status for status, _ in results)
        assert statuses == [201] * LIMIT + [429] * (SIMULTANEOUS - LIMIT), (
            f"{statuses.count(201)} of {SIMULTANEOUS} got through a limit of {LIMIT}: {statuses}"
        )
        assert all(retry and int(retry) > 0 for status, retry in results if status == 429)
        assert Signup.objects.filter(shift=shift).count() == LIMIT
