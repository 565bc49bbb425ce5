"""Benchmark: the SMS dispatcher sending due outbox rows to a fake Twilio on 127.0.0.1.

Seeds N due confirmations (default 10,000: one shift, N volunteers with SMS consent, N
signups), starts a small threaded fake of Twilio's Messages API in this process, and runs
`sms_dispatch_due` in separate dispatcher processes (the real `twilio` client, the twilio
backend, PostgreSQL row claims with SKIP LOCKED):

  one       1 dispatcher process
  two       2 dispatcher processes at once
  kill      2 processes, both SIGKILLed while the fake holds back its answer to a message it
            accepted; a fresh one starts after the claim lease and the sending timeout, then
            Twilio's status callbacks settle the "unknown" rows (`make faults` item 6c)
  rate      2 processes sharing SMS_RATE_PER_SECOND=50 (the per-sender limit across workers)
  raw       baseline: the same number of sends with the twilio client alone, no database
  capacity  issue 18: 5,000 reminders (half in Spanish, UCS-2, two segments) at a configured
            SMS_RATE_PER_SECOND of 10 and of 40, the fake answering in 100-300 ms (random):
            the sent rate as a ratio of the configured one, the most sends the fake received in
            any one-second window (goal: never above the rate), and the finish time predicted
            by the send forecast (messaging/services/forecast.py) against the actual one

For each it counts what the fake accepted: duplicates (a body accepted twice) must be 0, lost
(a row neither accepted nor in a recorded state) must be 0. Throughput is measured from the
fake's first to its last accepted request (process start-up excluded).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/field_sms .venv/bin/python bench/dispatch.py
    ... bench/dispatch.py --quick          # 1,000 messages (capacity: 1,000 reminders)
    ... bench/dispatch.py --capacity-only  # only the capacity rounds
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")

ACCOUNT_SID = "AC" + "b" * 32
TAG = "Bench SMS"
WORKER_ENV = {
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": "bench-token",
    "TWILIO_FROM_NUMBER": "+15155550100",
    "TWILIO_MESSAGING_SERVICE_SID": "",
    "SMS_RATE_PER_SECOND": "0",
    # No quiet hours for the benchmark (start == end), whatever time it runs.
    "SMS_QUIET_HOURS_START": "0",
    "SMS_QUIET_HOURS_END": "0",
    "SMS_DAILY_CAP_ORGANIZATION": "100000000",
    "SMS_CLAIM_LEASE_SECONDS": "5",
    "SMS_SENDING_TIMEOUT_SECONDS": "10",
    "LOG_LEVEL": "ERROR",
}


# --- The fake Twilio ------------------------------------------------------------------------


class FakeTwilio:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[tuple[float, str]] = []
        self.sids: dict[str, str] = {}  # our message id (from the callback URL) -> SID
        self.received: dict[str, float] = {}
        self.hold_at: int | None = None
        # (low, high) seconds each answer takes, at random (the capacity rounds).
        self.latency: tuple[float, float] | None = None
        self.held = threading.Event()
        self.release = threading.Event()

    def reset(self) -> None:
        with self.lock:
            self.accepted = []
            self.sids = {}
            self.received = {}
        self.hold_at = None
        self.latency = None
        self.held.clear()
        self.release.clear()

    def bodies(self) -> Counter[str]:
        with self.lock:
            return Counter(body for _, body in self.accepted)

    def times(self) -> list[float]:
        with self.lock:
            return sorted(t for t, _ in self.accepted)

    def busiest_second(self) -> int:
        """The most requests received in any one-second window (sliding, from each receipt)."""
        times, most, j = self.times(), 0, 0
        for i, start in enumerate(times):
            j = max(j, i)
            while j < len(times) and times[j] < start + 1.0:
                j += 1
            most = max(most, j - i)
        return most

    def rate(self) -> float:
        with self.lock:
            if len(self.accepted) < 2:
                return 0.0
            times = sorted(t for t, _ in self.accepted)
        return (len(times) - 1) / max(times[-1] - times[0], 1e-9)


def serve(fake: FakeTwilio) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            body = form.get("Body", [""])[0]
            callback = parse_qs(urlsplit(form.get("StatusCallback", [""])[0]).query)
            with fake.lock:
                fake.accepted.append((time.monotonic(), body))
                fake.received[callback.get("message", [""])[0]] = time.time()
                sid = f"SM{len(fake.accepted):032d}"
                fake.sids[callback.get("message", [""])[0]] = sid
                hold = fake.hold_at is not None and len(fake.accepted) == fake.hold_at
            if fake.latency is not None:
                time.sleep(random.uniform(*fake.latency))
            if hold:
                # Accepted, and the answer is held back while the dispatchers are killed: the
                # "killed between Twilio's acceptance and the database update" case.
                fake.held.set()
                fake.release.wait(30)
            payload = json.dumps({"sid": sid, "status": "queued", "account_sid": ACCOUNT_SID})
            data = payload.encode()
            try:
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the dispatcher was killed while we held the answer
                self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            # Killed dispatchers reset their keep-alive connections: expected, not news.
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- Dispatcher processes -------------------------------------------------------------------


def worker() -> None:
    """A dispatcher process: dispatch until nothing is due, `BENCH_MAX_BATCHES` claims per call
    (1; the capacity rounds: 20, as the Celery task does)."""
    import django

    django.setup()
    from backend.sms import get_backend
    from messaging.services.dispatch import sms_dispatch_due

    backend = get_backend()
    if os.environ.get("BENCH_DEPARTURE_LOG"):
        _log_departures(backend, os.environ["BENCH_DEPARTURE_LOG"])
    max_batches = int(os.environ.get("BENCH_MAX_BATCHES", "1"))
    idle = 0
    while idle < 2:
        report = sms_dispatch_due(batch_size=100, max_batches=max_batches, backend=backend)
        idle = 0 if report.claimed else idle + 1
        if not report.claimed:
            time.sleep(0.2)


def _log_departures(backend: Any, path: str) -> None:
    """Write each text's id, its departure stamp and when its request reached the wire (the
    limiter's, epoch seconds) to `path`."""
    from contextlib import contextmanager

    from messaging.services import dispatch

    current, log = threading.local(), open(path, "a")  # noqa: SIM115 (the process's lifetime)
    departure, send = dispatch.departure, backend.send

    @contextmanager
    def logged_departure(sender: str) -> Any:
        with departure(sender) as leaving:
            current.leaving = leaving
            yield leaving

    def logged_send(*, to: str, body: str, message_id: str | None = None) -> Any:
        try:
            return send(to=to, body=body, message_id=message_id)
        finally:
            leaving = current.leaving
            log.write(f"{message_id}\t{leaving.stamp}\t{leaving.wire_at or leaving.stamp}\n")
            log.flush()

    dispatch.departure = logged_departure
    backend.send = logged_send


def start_workers(count: int, base_url: str, extra: dict[str, str] | None = None) -> list:
    env = {**os.environ, **WORKER_ENV, "TWILIO_API_BASE_URL": base_url, **(extra or {})}
    return [subprocess.Popen([sys.executable, __file__, "--worker"], env=env) for _ in range(count)]


# --- Seeding and checking -------------------------------------------------------------------


def seed(count: int, *, reminders: bool = False) -> list[int]:
    """Due confirmations, or (`reminders`) due 24 h reminders, every second one in Spanish
    with an accent outside GSM-7 (UCS-2: two segments)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from backend.accounts.models import Team
    from backend.crypto import keyed_hash
    from events.models import (
        Event,
        EventKind,
        Shift,
        ShiftRole,
        Signup,
        SignupSource,
        SignupStatus,
        Volunteer,
    )
    from messaging.models import ConsentMethod, SmsConsent, SmsKind, SmsMessage
    from messaging.templates import segments

    now = timezone.now()
    with transaction.atomic():
        team, _ = Team.objects.get_or_create(name=TAG)
        starts = now + timedelta(days=3)
        event = Event.objects.create(
            title=f"{TAG} event",
            kind=EventKind.PHONE_BANK,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            team=team,
        )
        shift = Shift.objects.create(
            event=event,
            role=ShiftRole.PHONE_BANKER,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=count,
        )
        numbers = [f"+1999{i:07d}" for i in range(count)]  # not real numbers: a bench tag
        volunteers = Volunteer.objects.bulk_create(
            [
                Volunteer(
                    name=f"{TAG} {i}",
                    phone=number,
                    phone_hash=keyed_hash(number),
                    phone_last4=number[-4:],
                )
                for i, number in enumerate(numbers)
            ],
            batch_size=2000,
        )
        SmsConsent.objects.bulk_create(
            [
                SmsConsent(volunteer=v, granted=True, method=ConsentMethod.WEB, recorded_at=now)
                for v in volunteers
            ],
            batch_size=2000,
        )
        signups = Signup.objects.bulk_create(
            [
                Signup(
                    shift=shift,
                    volunteer=v,
                    status=SignupStatus.CONFIRMED,
                    source=SignupSource.WEB,
                    position=i + 1,
                    confirmed_at=now,
                )
                for i, v in enumerate(volunteers)
            ],
            batch_size=2000,
        )
        messages = SmsMessage.objects.bulk_create(
            [
                SmsMessage(
                    volunteer=v,
                    phone=v.phone,
                    phone_hash=v.phone_hash,
                    body=_body(i, reminders),
                    segments=segments(_body(i, reminders)),
                    language="es" if reminders and i % 2 else "en",
                    kind=SmsKind.REMINDER if reminders else SmsKind.CONFIRMATION,
                    offset_minutes=24 * 60 if reminders else 0,
                    signup=s,
                    event=event,
                    send_after=now,
                    next_attempt_at=now,
                )
                for i, (v, s) in enumerate(zip(volunteers, signups, strict=True))
            ],
            batch_size=2000,
        )
    return [m.pk for m in messages]


def _body(i: int, reminder: bool) -> str:
    if not reminder:
        return f"{TAG} confirmation {i}"
    if i % 2:
        return f"{TAG} recordatorio {i}: su turno es mañana a las 9:00, en la biblioteca pública."
    return f"{TAG} reminder {i}: your shift is tomorrow at 9:00, at the public library."


def cleanup() -> None:
    from events.models import Event, Volunteer
    from messaging.models import SmsMessage, SmsRateBucket

    SmsMessage.objects.filter(event__title=f"{TAG} event").delete()
    Event.objects.filter(title=f"{TAG} event").delete()
    Volunteer.objects.filter(name__startswith=f"{TAG} ").delete()
    SmsRateBucket.objects.all().delete()
    from backend.accounts.models import Team

    Team.objects.filter(name=TAG).delete()


def check(fake: FakeTwilio, count: int) -> dict[str, int]:
    from messaging.models import SmsMessage, SmsStatus

    bodies = fake.bodies()
    rows = list(
        SmsMessage.objects.filter(event__title=f"{TAG} event").values_list("body", "status")
    )
    statuses = Counter(status for _, status in rows)
    # Lost: a row the fake never accepted that is not marked unknown either (an unknown row is
    # recorded, visible to organizers and settled by Twilio's callback: at most once, by design).
    lost = sum(1 for body, status in rows if body not in bodies and status != SmsStatus.UNKNOWN)
    return {
        "rows": len(rows),
        "accepted": len(bodies),
        "duplicates": sum(n - 1 for n in bodies.values() if n > 1),
        "lost": lost,
        "sent": statuses.get(SmsStatus.SENT, 0),
        "unknown": statuses.get(SmsStatus.UNKNOWN, 0),
        "unknown_never_accepted": sum(
            1 for body, status in rows if status == SmsStatus.UNKNOWN and body not in bodies
        ),
    }


def wait(processes: list) -> None:
    for process in processes:
        process.wait()


def run_round(
    name: str, fake: FakeTwilio, base_url: str, count: int, workers: int, extra: dict | None = None
) -> tuple[float, dict[str, int], float]:
    cleanup()
    fake.reset()
    seed(count)
    t0 = time.monotonic()
    wait(start_workers(workers, base_url, extra))
    wall = time.monotonic() - t0
    result = check(fake, count)
    print(
        f"{name}: {count} messages, {workers} process(es): {fake.rate():,.0f} msg/s "
        f"(first to last send; {wall:.1f} s wall incl. start-up) {result}"
    )
    return fake.rate(), result, wall


def run_kill(fake: FakeTwilio, base_url: str, count: int) -> dict[str, int]:
    """Kill both dispatchers while Twilio holds an accepted message's answer; then start a
    fresh one after the lease and the sending timeout, and deliver Twilio's status callbacks
    for what was left unknown."""
    from messaging.models import SmsMessage, SmsStatus
    from messaging.services.delivery import sms_status_record

    cleanup()
    fake.reset()
    seed(count)
    fake.hold_at = count // 4
    processes = start_workers(2, base_url)
    fake.held.wait(600)
    for process in processes:
        process.send_signal(signal.SIGKILL)
    wait(processes)
    fake.release.set()
    # Claimed rows are leased for 5 s; rows left "sending" become "unknown" after 10 s.
    time.sleep(11)
    wait(start_workers(1, base_url))
    result = check(fake, count)
    unknown = list(SmsMessage.objects.filter(event__title=f"{TAG} event", status=SmsStatus.UNKNOWN))
    for message in unknown:  # Twilio calls back (with our id) only for what it accepted
        sid = fake.sids.get(str(message.pk))
        if sid:
            sms_status_record(message_sid=sid, provider_status="delivered", message_id=message.pk)
    result["unknown_after_callbacks"] = SmsMessage.objects.filter(
        event__title=f"{TAG} event", status=SmsStatus.UNKNOWN
    ).count()
    print(
        f"kill: 2 processes SIGKILLed while Twilio held accepted message {count // 4}'s answer, "
        f"then a fresh one: {result}"
    )
    return result


CAPACITY_ENV = {
    "SMS_DISPATCH_THREADS": "8",
    # Production's lease and timeout (the kill round's short ones would expire claims that
    # wait their turn at 10/s), and the Celery task's 20 batches per dispatch.
    "SMS_CLAIM_LEASE_SECONDS": "120",
    "SMS_SENDING_TIMEOUT_SECONDS": "300",
    "BENCH_MAX_BATCHES": "20",
    "SMS_DAILY_SEGMENT_CAP_PER_ORGANIZATION": "100000000",
}


def run_capacity(fake: FakeTwilio, base_url: str, count: int, rate: float) -> dict[str, float]:
    """Issue 18's measure: `count` reminders at SMS_RATE_PER_SECOND=`rate`, the fake answering
    in 100-300 ms; the forecast is made just before the dispatchers start."""
    from django.conf import settings

    from events.models import Event
    from messaging.services.forecast import event_sms_forecast

    cleanup()
    fake.reset()
    seed(count, reminders=True)
    fake.latency = (0.1, 0.3)
    for name, value in {**WORKER_ENV, **CAPACITY_ENV, "SMS_RATE_PER_SECOND": str(rate)}.items():
        if name.startswith("SMS_") and name != "SMS_BACKEND":
            setattr(settings, name, float(value) if name == "SMS_RATE_PER_SECOND" else int(value))
    forecast = event_sms_forecast(event=Event.objects.get(title=f"{TAG} event"))
    assert forecast.starts_at is not None and forecast.finishes_at is not None
    predicted = (forecast.finishes_at - forecast.starts_at).total_seconds()
    log_path = tempfile.mktemp(prefix="bench-departures-", suffix=".log")  # noqa: S306
    wait(
        start_workers(
            2,
            base_url,
            {**CAPACITY_ENV, "SMS_RATE_PER_SECOND": str(rate), "BENCH_DEPARTURE_LOG": log_path},
        )
    )
    delays = departure_delays(fake, log_path)
    Path(log_path).unlink(missing_ok=True)
    times = fake.times()
    actual = times[-1] - times[0] if len(times) > 1 else 0.0
    result = check(fake, count)
    figures = {
        "rate": fake.rate(),
        "busiest": float(fake.busiest_second()),
        "predicted": predicted,
        "actual": actual,
        "duplicates": float(result["duplicates"]),
        "lost": float(result["lost"]),
    }
    print(
        f"capacity {rate:g}/s: {count} reminders ({forecast.segments} segments), 2 processes, "
        f"fake answering in 100-300 ms: sent {figures['rate']:.2f} msg/s "
        f"({figures['rate'] / rate:.3f} of the rate), busiest one-second window "
        f"{fake.busiest_second()} sends, finish predicted {predicted:.1f} s, actual "
        f"{actual:.1f} s ({actual / predicted if predicted else 0:.3f}); {delays} {result}"
    )
    return figures


def departure_delays(fake: FakeTwilio, log_path: str) -> str:
    """How long each text took from its stamp to the wire (the sender's own stalls, which the
    limiter corrects) and from its departure as the limiter counts it to the fake's receipt
    (the spread WINDOW_SLACK must cover)."""
    from messaging.services.rates import RESTAMP_AFTER

    to_wire, to_receipt = [], []
    for line in Path(log_path).read_text().splitlines():
        message_id, stamp, wire_at = line.split("\t")
        if message_id not in fake.received:
            continue
        counted = float(wire_at) if float(wire_at) - float(stamp) > RESTAMP_AFTER else float(stamp)
        to_wire.append(1000 * (float(wire_at) - float(stamp)))
        to_receipt.append(1000 * (fake.received[message_id] - counted))
    if not to_receipt:
        return "no departures logged"

    def spread(delays: list[float]) -> str:
        delays.sort()
        p50, p99 = (delays[min(len(delays) - 1, int(f * len(delays)))] for f in (0.5, 0.99))
        return f"p50 {p50:.1f} ms, p99 {p99:.1f}, max {delays[-1]:.1f}"

    return f"stamp to wire {spread(to_wire)}; departure to receipt {spread(to_receipt)}"


def raw_baseline(base_url: str, count: int) -> float:
    """The twilio client alone, sequential, no database: the ceiling of one sender."""
    os.environ.update({**WORKER_ENV, "TWILIO_API_BASE_URL": base_url})
    from django.conf import settings

    settings.TWILIO_API_BASE_URL = base_url
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = "bench-token"
    settings.TWILIO_FROM_NUMBER = "+15155550100"
    from backend.sms import get_backend

    backend = get_backend("twilio")
    t0 = time.monotonic()
    for i in range(count):
        backend.send(to="+19990000000", body=f"raw {i}", message_id=str(i))
    return count / (time.monotonic() - t0)


def result_line(name: str, value: float, unit: str, baseline: float | None = None) -> None:
    ratio = f"{value / baseline:.3f}" if baseline else ""
    base = f"{baseline:.1f}" if baseline is not None else ""
    print(f"RESULT\t{name}\t{value:.1f}\t{unit}\t{base}\t{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 messages")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--capacity-only", action="store_true", help="only the capacity rounds")
    parser.add_argument("--reminders", type=int, default=5_000, help="capacity rounds")
    parser.add_argument(
        "--rate", type=int, action="append", help="capacity rounds' rates (default: 10 and 40)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; set DATABASE_URL for meaningful figures", file=sys.stderr)
    call_command("migrate", verbosity=0)
    count = 1_000 if args.quick else args.messages
    fake = FakeTwilio()
    server = serve(fake)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    failures = 0
    reminders = 1_000 if args.quick else args.reminders
    rates = args.rate or [10, 40]
    if args.capacity_only:
        try:
            capacity = {rate: run_capacity(fake, base_url, reminders, rate) for rate in rates}
        finally:
            cleanup()
            server.shutdown()
        sys.exit(1 if _capacity_results(capacity) else 0)
    try:
        raw = raw_baseline(base_url, min(count, 2_000))
        print(f"raw twilio client, no database: {raw:,.0f} msg/s")
        one, one_result, _ = run_round("one", fake, base_url, count, 1)
        two, two_result, _ = run_round("two", fake, base_url, count, 2)
        rate_count = min(count, 500)
        limited, rate_result, _ = run_round(
            "rate", fake, base_url, rate_count, 2, {"SMS_RATE_PER_SECOND": "50"}
        )
        kill = None if args.skip_kill else run_kill(fake, base_url, count)
        capacity = {rate: run_capacity(fake, base_url, reminders, rate) for rate in rates}
    finally:
        cleanup()
        server.shutdown()
    for result in (one_result, two_result, rate_result, *([kill] if kill else [])):
        failures += result["duplicates"] + result["lost"]
    result_line("dispatch 1 process", one, "msg/s", raw)
    result_line("dispatch 2 processes", two, "msg/s", raw)
    result_line("dispatch 2 processes, limit 50/s", limited, "msg/s", 50.0)
    result_line(
        "duplicates (1 + 2 processes)",
        one_result["duplicates"] + two_result["duplicates"],
        "messages",
    )
    result_line("lost (1 + 2 processes)", one_result["lost"] + two_result["lost"], "messages")
    if kill is not None:
        result_line("duplicates after SIGKILL", kill["duplicates"], "messages")
        result_line("lost after SIGKILL", kill["lost"], "messages")
        result_line("unknown after SIGKILL", kill["unknown"], "messages")
        result_line(
            "unknown after status callbacks (never reached Twilio: not resent)",
            kill["unknown_after_callbacks"],
            "messages",
        )
    failures += _capacity_results(capacity)
    sys.exit(1 if failures else 0)


def _capacity_results(capacity: dict[int, dict[str, float]]) -> int:
    """Print the capacity rounds' RESULT lines; returns how many goals were missed."""
    missed = 0
    for rate, figures in capacity.items():
        result_line(f"dispatch limit {rate}/s, sent rate", figures["rate"], "msg/s", float(rate))
        result_line(
            f"dispatch limit {rate}/s, busiest one-second window",
            figures["busiest"],
            "msg",
            float(rate),
        )
        result_line(
            f"dispatch limit {rate}/s, actual finish vs forecast",
            figures["actual"],
            "s",
            figures["predicted"],
        )
        missed += figures["busiest"] > rate
        missed += int(figures["duplicates"] + figures["lost"])
    return missed


if __name__ == "__main__":
    main()
