"""The twilio backend's settings, read from the environment (`backend.settings` imports them,
so they are `settings.TWILIO_*` like every other setting; tests override them the same way).

Kept here so that only `backend/sms/` names the provider; the variable names are the ones
operators already set.
"""

from __future__ import annotations

from backend.env import Env

env = Env()

TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID")
# The number reminder calls come from (docs/voice.md); empty: TWILIO_FROM_NUMBER.
TWILIO_VOICE_FROM_NUMBER = env.str("TWILIO_VOICE_FROM_NUMBER")
# Where the twilio backend sends API calls (only tests and benchmarks point it elsewhere).
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", "https://api.twilio.com")
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", 10.0, minimum=0.1)

__all__ = [
    "TWILIO_ACCOUNT_SID",
    "TWILIO_API_BASE_URL",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_TIMEOUT_SECONDS",
    "TWILIO_VOICE_FROM_NUMBER",
]
