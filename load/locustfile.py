"""Caucus night: the mixed scenario of `make load` (load/run.py), ramped in steps.

- Canvassers (bearer tokens issued by load/caucus_setup.py for the seeded canvassers): the first
  full pull of their turf, then pushes of conversation logs (new client UUIDs, batches of 5 to 40,
  one in ten resent as after a dropped connection) and incremental pulls with their cursor.
- Volunteers: public signups on ONE event whose single shift has an exact capacity (then the
  waitlist), each with a new phone number.
- SMS replies: volunteers answering by text, through the inbound webhook signed as Twilio signs
  (twilio's RequestValidator with TWILIO_AUTH_TOKEN over PUBLIC_BASE_URL + path).
- Field leads: turf progress pages.
(The dispatcher sending to a fake Twilio is a process of load/run.py, not a locust user.)

The `CaucusRamp` shape adds LOAD_STEP_USERS users every LOAD_STEP_SECONDS; each step's figures are
measured after LOAD_WARMUP_SECONDS (stats reset) and appended as one JSON line to LOAD_STEPS_FILE.
The ramp stops after the first step whose push p99 passes LOAD_P99_MS, or when the next step would
end past LOAD_MAX_SECONDS, or past LOAD_MAX_USERS; then a signup rush (LOAD_RUSH_USERS volunteers
only, LOAD_RUSH_SECONDS) measures signups per second on the one event, recorded as step "rush".
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, datetime
from itertools import count
from typing import Any

from locust import HttpUser, LoadTestShape, between, task
from twilio.request_validator import RequestValidator

FIXTURES = json.loads(open(os.environ["LOAD_FIXTURES"]).read())  # noqa: SIM115
AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
STEPS_FILE = os.environ.get("LOAD_STEPS_FILE", "")
START_USERS = int(os.environ.get("LOAD_START_USERS", "20"))
STEP_USERS = int(os.environ.get("LOAD_STEP_USERS", "20"))
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "45"))
WARMUP_SECONDS = float(os.environ.get("LOAD_WARMUP_SECONDS", "10"))
MAX_SECONDS = float(os.environ.get("LOAD_MAX_SECONDS", "840"))
MAX_USERS = int(os.environ.get("LOAD_MAX_USERS", "1000"))
P99_MS = float(os.environ.get("LOAD_P99_MS", "500"))
RUSH_USERS = int(os.environ.get("LOAD_RUSH_USERS", "40"))
RUSH_SECONDS = float(os.environ.get("LOAD_RUSH_SECONDS", "30"))
PUSH = "sync-push"

# Figures the responses carry, counted per step (reset with the stats).
counters = {"logs": 0, "signups": 0, "confirmed": 0, "waitlisted": 0}
signed_up_phones: list[str] = []
_phones = count(random.randint(0, 1000) * 1000)
_canvassers = count()


class Canvasser(HttpUser):
    weight = 10
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        people = FIXTURES["canvassers"]
        me = people[next(_canvassers) % len(people)]
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        self.households = me["households"]
        self.device = f"caucus-{uuid.uuid4().hex[:8]}"
        self.cursor = ""
        for _ in range(20):  # the first download of the turf, page by page
            response = self.client.get(
                "/api/sync/pull",
                params={"cursor": self.cursor} if self.cursor else {},
                headers=self.headers,
                name="sync-pull (first)",
            )
            if not response.ok:
                break
            page = response.json()
            self.cursor = page.get("cursor") or ""
            if not page.get("has_more"):
                break

    @task(4)
    def push(self) -> None:
        now = datetime.now(UTC).isoformat()
        logs: list[dict[str, Any]] = []
        for _ in range(random.randint(5, 40)):
            result = random.choice(["contacted", "not_home", "not_home", "refused"])
            log: dict[str, Any] = {
                "client_uuid": str(uuid.uuid4()),
                "household": random.choice(self.households),
                "result": result,
                "contacted_at": now,
            }
            if result == "contacted":
                log["support_level"] = random.randint(1, 5)
            logs.append(log)
        body = {"device_id": self.device, "batch_id": str(uuid.uuid4()), "logs": logs}
        response = self.client.post("/api/sync/push", json=body, headers=self.headers, name=PUSH)
        if response.ok:
            counters["logs"] += response.json()["counts"]["created"]
            if random.random() < 0.1:  # the answer was lost: the phone sends the batch again
                self.client.post(
                    "/api/sync/push", json=body, headers=self.headers, name="sync-push (resent)"
                )

    @task(1)
    def pull(self) -> None:
        response = self.client.get(
            "/api/sync/pull",
            params={"cursor": self.cursor, "device_id": self.device},
            headers=self.headers,
            name="sync-pull",
        )
        if response.status_code == 200:
            self.cursor = response.json().get("cursor") or self.cursor


class Volunteer(HttpUser):
    weight = 8
    wait_time = between(0.2, 0.8)

    @task
    def sign_up(self) -> None:
        phone = f"+1515{2000000 + next(_phones) % 7000000:07d}"
        body = {"name": "Caucus Volunteer", "phone": phone, "sms_consent": True}
        response = self.client.post(
            f"/api/public/shifts/{FIXTURES['shift']}/signups", json=body, name="signup"
        )
        if response.status_code == 201:
            counters["signups"] += 1
            status = response.json()["signup"]["status"]
            if status in ("confirmed", "waitlisted"):
                counters[status] += 1
            signed_up_phones.append(phone)


class SmsReply(HttpUser):
    fixed_count = 1  # at every step, however few users
    wait_time = between(0.2, 0.6)
    path = "/api/sms/inbound"

    @task
    def reply(self) -> None:
        phone = random.choice(signed_up_phones) if signed_up_phones else "+15152999999"
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": "AC" + "0" * 32,
            "From": phone,
            "To": "+15155550100",
            "Body": random.choice(["YES", "Thanks, see you there", "What time again?"]),
        }
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            PUBLIC_BASE_URL + self.path, params
        )
        self.client.post(
            self.path, data=params, headers={"X-Twilio-Signature": signature}, name="sms-inbound"
        )


class FieldLead(HttpUser):
    fixed_count = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {FIXTURES['lead_token']}"}

    @task
    def progress(self) -> None:
        turf = random.choice(FIXTURES["turfs"])
        self.client.get(f"/api/turfs/{turf}/progress", headers=self.headers, name="turf-progress")


class CaucusRamp(LoadTestShape):
    """Steps of users; one JSON line of figures per step; stops at the push p99 knee."""

    def __init__(self) -> None:
        super().__init__()
        self.step: int | str = 0
        self.measuring_since: float | None = None
        self.rush_since: float | None = None
        self.stopped = False

    def tick(self) -> tuple[int, float] | tuple[int, float, list] | None:
        if self.stopped:
            return None
        now = self.get_run_time()
        if self.rush_since is not None:
            return self.rush(now)
        step = int(now // STEP_SECONDS)
        if step != self.step:
            figures = self.record(now)
            users = START_USERS + step * STEP_USERS
            if (
                figures is None
                or figures["push_p99_ms"] > P99_MS
                or (step + 1) * STEP_SECONDS > MAX_SECONDS
                or users > MAX_USERS
            ):
                self.step, self.measuring_since, self.rush_since = "rush", None, now
                return self.rush(now)
            self.step, self.measuring_since = step, None
        assert isinstance(self.step, int)
        if self.measuring_since is None and now - self.step * STEP_SECONDS >= WARMUP_SECONDS:
            self.reset(now)
        return START_USERS + self.step * STEP_USERS, float(max(STEP_USERS, START_USERS))

    def rush(self, now: float) -> tuple[int, float, list] | None:
        """After the ramp: volunteers only, a signup rush on the one event, then the end."""
        assert self.rush_since is not None
        if now - self.rush_since >= RUSH_SECONDS:
            self.record(now)
            self.stopped = True
            return None
        if self.measuring_since is None and now - self.rush_since >= WARMUP_SECONDS / 2:
            self.reset(now)
        return RUSH_USERS, float(RUSH_USERS), [Volunteer]

    def reset(self, now: float) -> None:
        assert self.runner is not None  # set by locust before the first tick
        self.runner.stats.reset_all()
        for key in counters:
            counters[key] = 0
        self.measuring_since = now

    def record(self, now: float) -> dict[str, Any] | None:
        if self.measuring_since is None:
            return None
        seconds = now - self.measuring_since
        requests = {}
        assert self.runner is not None
        for entry in self.runner.stats.entries.values():
            requests[entry.name] = {
                "count": entry.num_requests,
                "failures": entry.num_failures,
                "per_second": entry.num_requests / seconds,
                "p50_ms": entry.get_response_time_percentile(0.50) or 0,
                "p95_ms": entry.get_response_time_percentile(0.95) or 0,
                "p99_ms": entry.get_response_time_percentile(0.99) or 0,
            }
        figures = {
            "step": self.step,
            "users": self.runner.user_count,
            "seconds": seconds,
            "logs_per_second": counters["logs"] / seconds,
            "signups_per_second": counters["signups"] / seconds,
            **counters,
            "push_p99_ms": requests.get(PUSH, {}).get("p99_ms", 0),
            "requests": requests,
        }
        if STEPS_FILE:
            with open(STEPS_FILE, "a") as out:
                out.write(json.dumps(figures) + "\n")
        return figures
