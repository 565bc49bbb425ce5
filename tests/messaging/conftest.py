"""Fixtures for the SMS tests: settings, signups through the real service, a fake Twilio."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from backend.sms.backends import locmem
from events.models import Language, Shift, Signup
from events.services.signups import SignupOutcome, signup_create
from tests.events.conftest import (  # noqa: F401 - the events fixtures, shared
    make_event,
    make_location,
    make_shift,
    recorded_events,
)
from tests.events.helpers import phone

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE_URL = "https://sms.example.org"


@pytest.fixture(autouse=True)
def sms_settings(settings: Any) -> Any:
    settings.SMS_BACKEND = "locmem"
    settings.SMS_RATE_PER_SECOND = 0
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+15155550100"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.SMS_ORGANIZATION_NAME = "DontLookAway"
    settings.SMS_REMINDER_OFFSETS_HOURS = [24, 2]
    locmem.outbox.clear()
    yield settings
    locmem.outbox.clear()


@pytest.fixture
def sign_up() -> Callable[..., SignupOutcome]:
    """Sign volunteer n up for a shift through the real service (so the outbox is written)."""

    def make(
        shift: Shift, n: int, *, consent: bool = True, language: str = Language.ENGLISH
    ) -> SignupOutcome:
        return signup_create(
            shift_id=shift.pk,
            name=f"Volunteer {n}",
            phone=phone(n),
            sms_consent=consent,
            language=language,
        )

    return make


def signup_messages(signup: Signup) -> dict[str, str]:
    return {
        f"{m.kind}{m.offset_minutes or ''}": m.status
        for m in signup.sms.order_by("kind", "offset_minutes")
    }


@dataclass
class FakeTwilio:
    """A fake Twilio Messages API: scripted answers, and every message it accepted."""

    accepted: list[dict[str, str]] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    idle: threading.Event = field(default_factory=threading.Event)

    def handle(self, request: Request) -> Response:
        self.idle.clear()
        try:
            return self._handle(request)
        finally:
            self.idle.set()

    def _handle(self, request: Request) -> Response:
        form = {key: values[0] for key, values in parse_qs(request.get_data(as_text=True)).items()}
        with self.lock:
            action = self.script.pop(0) if self.script else "201"
        if action == "201":
            return self._accept(form)
        if action == "timeout":
            self._accept(form)
            threading.Event().wait(1.5)  # longer than the client's timeout
            return Response("", status=500)
        if action == "reset":
            self._accept(form)
            sock = request.environ["werkzeug.socket"]
            import socket
            import struct

            # SO_LINGER 0: close with a TCP RST, the way a dropped connection looks.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RD)
            os.close(sock.detach())
            return Response("", status=500)
        status, code = action.split(":") if ":" in action else (action, "")
        body = {
            "code": int(code) if code else None,
            "message": f"fake error {code or status}",
            "more_info": "https://www.twilio.com/docs/errors",
            "status": int(status),
        }
        return Response(json.dumps(body), status=int(status), content_type="application/json")

    def _accept(self, form: dict[str, str]) -> Response:
        with self.lock:
            sid = f"SM{len(self.accepted) + 1:032d}"
            self.accepted.append({**form, "sid": sid})
        body = {
            "sid": sid,
            "status": "queued",
            "to": form.get("To"),
            "body": form.get("Body"),
            "account_sid": ACCOUNT_SID,
        }
        return Response(json.dumps(body), status=201, content_type="application/json")


@pytest.fixture
def fake_twilio(httpserver: Any, settings: Any) -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    httpserver.expect_request(
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", method="POST"
    ).respond_with_handler(fake.handle)
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = httpserver.url_for("").rstrip("/")
    settings.TWILIO_TIMEOUT_SECONDS = 1.0  # the "timeout" action waits 1.5 s; slack for a busy CI
    fake.idle.set()
    yield fake
    # The fake server is single-threaded and shared: let a deliberately slow answer finish
    # before the next test sends its first request.
    fake.idle.wait(5)
