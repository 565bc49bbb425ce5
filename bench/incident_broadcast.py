"""Incident broadcast: 500 canvassers with phones and assignments, one incident declared through
the real view, the real dispatcher sending through the real twilio client to a fake Twilio on
127.0.0.1 that answers each text in 100-300 ms, at SMS_RATE_PER_SECOND (default 10).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fieldbench .venv/bin/python bench/incident_broadcast.py
    ... bench/incident_broadcast.py --quick        # 100 canvassers, and a shorter baseline

Uses a scratch database `<name>_bench` (created, migrated and dropped). The dispatcher runs in
this process the way the Celery beat task does (`sms_dispatch_due(max_batches=20)`, again while
anything is due), with SMS_DISPATCH_THREADS threads. Prints the time from the declare call to
the last text Twilio accepted, beside the floor the rate allows (N / rate), the declare call's
own latency, the largest count of texts Twilio received in any one-second window beside the
configured rate, duplicates and texts lost; and, as the same-run baseline, one sending thread
(the dispatcher before this change) on a sample of the same texts. Goal: 500 texted within 60 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _scratch
from _report import result

ACCOUNT_SID = "AC" + "c" * 32
GOAL_SECONDS = 60.0


class FakeTwilio:
    """Twilio's Messages API, answering after 100-300 ms; remembers when each text arrived."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[tuple[float, str]] = []

    def reset(self) -> None:
        with self.lock:
            self.arrivals = []

    def serve(self) -> ThreadingHTTPServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                with fake.lock:
                    fake.arrivals.append((time.monotonic(), form.get("To", [""])[0]))
                    sid = f"SM{len(fake.arrivals):032d}"
                time.sleep(random.uniform(0.1, 0.3))
                data = json.dumps({"sid": sid, "status": "queued"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def busiest_second(self) -> int:
        times = sorted(t for t, _ in self.arrivals)
        return max((sum(1 for t in times if s <= t < s + 1.0) for s in times), default=0)


def seed(count: int) -> tuple[Any, Any, list[int]]:
    """A lead, `count` canvassers with phones and consent, each assigned one of 10 turfs."""
    from django.utils import timezone
    from rest_framework.test import APIClient

    from backend.accounts.models import Membership, Role, Team, User
    from backend.accounts.services import token_issue
    from backend.crypto import keyed_hash
    from canvass.models import Household, Turf, TurfAssignment, TurfHousehold

    now = timezone.now()
    team = Team.objects.create(name="Bench team")
    lead = User.objects.create_user(username="bench-lead", role=Role.FIELD_LEAD)
    Membership.objects.create(team=team, user=lead)
    numbers = [f"+1999{i:07d}" for i in range(count)]  # not real numbers: a bench tag
    canvassers = User.objects.bulk_create(
        [
            User(
                username=f"bench-c{i}",
                role=Role.CANVASSER,
                phone=number,
                phone_hash=keyed_hash(number),
                language="es" if i % 3 == 0 else "en",
                safety_texts_consent_at=now,
            )
            for i, number in enumerate(numbers)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create([Membership(team=team, user=c) for c in canvassers])
    turfs = []
    for t in range(10):
        turf = Turf.objects.create(name=f"Bench turf {t:02d}", team=team)
        door = Household.objects.create(
            street=f"{t} BENCH ST",
            address_key=f"{t} BENCH ST||50310|IA",
            latitude=41.6 + t * 0.001,
            longitude=-93.6,
        )
        TurfHousehold.objects.create(turf=turf, household=door, position=1)
        turfs.append(turf.pk)
    TurfAssignment.objects.bulk_create(
        [
            TurfAssignment(turf_id=turfs[i % 10], canvasser=c, assigned_at=now)
            for i, c in enumerate(canvassers)
        ],
        batch_size=1000,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=lead, device='b').token}")
    return client, lead, turfs


def dispatch_until_done() -> None:
    """What the beat task does every 5 s, back to back while anything is due."""
    from messaging.services.dispatch import sms_dispatch_due

    while sms_dispatch_due(max_batches=20).claimed:
        pass


def broadcast(client: Any, fake: FakeTwilio, turfs: list[int], count: int) -> dict[str, Any]:
    from messaging.models import SmsKind, SmsMessage, SmsStatus

    client.get("/api/incidents")  # a warm server: URL conf and views imported, as in production
    fake.reset()
    started = time.monotonic()
    response = client.post(
        "/api/incidents",
        {
            "kind": "immigration_enforcement",
            "instruction": "Stop knocking, meet at the van.",
            "turfs": turfs,
        },
        format="json",
    )
    declared = time.monotonic()
    assert response.status_code == 201, response.content
    dispatch_until_done()
    last = max(t for t, _ in fake.arrivals)
    received = Counter(number for _, number in fake.arrivals)
    rows = SmsMessage.objects.filter(kind=SmsKind.INCIDENT)
    return {
        "notified": response.json()["notified_count"],
        "declare_s": declared - started,
        "to_last_s": last - started,
        "busiest": fake.busiest_second(),
        "duplicates": sum(n - 1 for n in received.values() if n > 1),
        "lost": rows.exclude(status=SmsStatus.SENT).count() + count - rows.count(),
    }


def sequential_sample(client: Any, fake: FakeTwilio, turfs: list[int], sample: int) -> float:
    """Baseline: one sending thread (the dispatcher before this change) on `sample` texts."""
    from django.conf import settings

    from canvass.models import TurfAssignment

    keep = list(
        TurfAssignment.objects.filter(turf_id=turfs[0]).order_by("id").values_list("id", flat=True)
    )[:sample]
    TurfAssignment.objects.filter(turf_id=turfs[0]).exclude(pk__in=keep).delete()
    settings.SMS_DISPATCH_THREADS = 1
    fake.reset()
    started = time.monotonic()
    response = client.post(
        "/api/incidents",
        {"kind": "weather", "instruction": "Take shelter now.", "turfs": [turfs[0]]},
        format="json",
    )
    assert response.status_code == 201, response.content
    dispatch_until_done()
    sent = len(fake.arrivals)
    return sent / (max(t for t, _ in fake.arrivals) - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--canvassers", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0, help="SMS_RATE_PER_SECOND")
    parser.add_argument("--threads", type=int, default=8, help="SMS_DISPATCH_THREADS")
    parser.add_argument("--baseline-sample", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="100 canvassers, sample of 20")
    args = parser.parse_args()
    count = 100 if args.quick else args.canvassers
    sample = 20 if args.quick else args.baseline_sample

    fake = FakeTwilio()
    server = fake.serve()
    name = _scratch.setup()
    try:
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
        settings.TWILIO_AUTH_TOKEN = "bench-token"
        settings.TWILIO_FROM_NUMBER = "+15155550100"
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
        settings.SMS_RATE_PER_SECOND = args.rate
        settings.SMS_DISPATCH_THREADS = args.threads
        client, _, turfs = seed(count)
        figures = broadcast(client, fake, turfs, count)
        floor = count / args.rate
        verdict = "ok" if figures["to_last_s"] <= GOAL_SECONDS else "MISSED"
        print(
            f"{count} canvassers, {args.rate:g} texts/s, {args.threads} threads: last text "
            f"{figures['to_last_s']:.1f} s after the declare call (floor at this rate "
            f"{floor:.1f} s; goal {GOAL_SECONDS:.0f} s: {verdict}); declare call "
            f"{figures['declare_s'] * 1000:.0f} ms; busiest second {figures['busiest']} texts "
            f"(rate {args.rate:g}); duplicates {figures['duplicates']}, lost {figures['lost']}"
        )
        one = sequential_sample(client, fake, turfs, sample)
        print(
            f"baseline, one sending thread: {one:.1f} texts/s over {sample} texts "
            f"(500 would take {500 / one:.0f} s)"
        )
        result(
            f"incident broadcast: {count} texted, time to last text",
            figures["to_last_s"],
            "s",
            floor,
        )
        result("incident broadcast: declare call latency", figures["declare_s"] * 1000, "ms")
        result(
            "incident broadcast: busiest one-second window", figures["busiest"], "texts", args.rate
        )
        result("incident broadcast: duplicates", figures["duplicates"], "texts")
        result("incident broadcast: lost", figures["lost"], "texts")
        result(
            f"incident broadcast: {args.threads} threads vs one, texts/s",
            figures["notified"] / figures["to_last_s"],
            "texts/s",
            one,
        )
        if figures["duplicates"] or figures["lost"]:
            sys.exit(1)
    finally:
        server.shutdown()
        _scratch.teardown(name)


if __name__ == "__main__":
    main()
