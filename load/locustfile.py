"""Load scenario: canvassers pull walk lists and sync, volunteers sign up, Twilio calls back.

Bounded: every user stops after LOAD_MAX_REQUESTS requests in total across the run, and
load/run.py bounds the time with --run-time.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, datetime
from itertools import count

from locust import HttpUser, between, events, task
from twilio.request_validator import RequestValidator

FIXTURES = json.loads(open(os.environ["LOAD_FIXTURES"]).read())  # noqa: SIM115
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "20000"))
AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
_requests = count()
_phones = count(1000)


_environment: dict[str, object] = {}


@events.init.add_listener
def _keep_environment(environment, **kwargs: object) -> None:  # type: ignore[no-untyped-def]
    _environment["env"] = environment


@events.request.add_listener
def _stop_after_max_requests(**kwargs: object) -> None:
    environment = _environment.get("env")
    if next(_requests) >= MAX_REQUESTS and environment is not None:
        environment.runner.quit()  # type: ignore[attr-defined]


class Canvasser(HttpUser):
    """Pulls the walk list and changes, then pushes a batch of logs (sometimes twice: a retry)."""

    weight = 6
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        me = random.choice(FIXTURES["canvassers"])
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        self.turf = me["turf"]
        self.households = me["households"]
        self.cursor = ""

    @task(3)
    def walk_list(self) -> None:
        self.client.get(f"/api/turfs/{self.turf}/walk-list", headers=self.headers, name="walk-list")

    @task(2)
    def pull(self) -> None:
        params = {"cursor": self.cursor} if self.cursor else {}
        response = self.client.get(
            "/api/sync/pull", params=params, headers=self.headers, name="sync-pull"
        )
        if response.ok:
            self.cursor = response.json().get("cursor", "") or ""

    @task(2)
    def push(self) -> None:
        logs = [
            {
                "client_uuid": str(uuid.uuid4()),
                "household": random.choice(self.households),
                "result": random.choice(["contacted", "not_home", "not_home", "refused"]),
                "contacted_at": datetime.now(UTC).isoformat(),
            }
            for _ in range(random.randint(5, 50))
        ]
        for log in logs:
            if log["result"] == "contacted":
                log["support_level"] = random.randint(1, 5)
        body = {"device_id": "load-phone", "batch_id": str(uuid.uuid4()), "logs": logs}
        self.client.post("/api/sync/push", json=body, headers=self.headers, name="sync-push")
        if random.random() < 0.2:  # a dropped connection: the phone sends the batch again
            self.client.post(
                "/api/sync/push", json=body, headers=self.headers, name="sync-push (retry)"
            )


class Volunteer(HttpUser):
    """Finds events and signs up for a shift."""

    weight = 3
    wait_time = between(1, 3)

    @task(2)
    def browse(self) -> None:
        self.client.get("/api/public/events", name="public-events")

    @task(1)
    def sign_up(self) -> None:
        shift = random.choice(FIXTURES["shifts"])
        phone = f"+1515555{next(_phones) % 10000:04d}"
        body = {"name": "Load Volunteer", "phone": phone, "sms_consent": True}
        with self.client.post(
            f"/api/public/shifts/{shift}/signups", json=body, name="signup", catch_response=True
        ) as response:
            if response.status_code in (201, 409):  # 409: already signed up / overlapping
                response.success()


class Twilio(HttpUser):
    """Status callbacks, signed as Twilio signs them."""

    weight = 1
    wait_time = between(0.2, 1)

    @task
    def status_callback(self) -> None:
        path = "/api/sms/status"
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "MessageStatus": random.choice(["sent", "delivered"]),
            "AccountSid": "AC" + "0" * 32,
        }
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, params)
        with self.client.post(
            path,
            data=params,
            headers={"X-Twilio-Signature": signature},
            name="twilio-status",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 204):
                response.success()
