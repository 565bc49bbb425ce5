"""Where a text's recipient is: their US state and time zone, for quiet hours (docs/sms.md,
"Quiet hours follow the recipient").

The state comes from the volunteer's ZIP code when they gave one (where they live), else from
their phone's area code (where the number was issued: people keep their numbers when they
move, so the ZIP is the better witness). Both tables ship with the package in `messaging/data/`:
`us_area_codes.csv` (every NANP area code in service in the US states, DC and the territories)
and `us_zip_prefixes.csv` (3-digit ZIP prefix ranges). A number or ZIP found in neither gives
no state, and quiet hours then follow the event alone.

The time zone is the state's main zone (`STATE_TIME_ZONES`): a state split between two zones
takes the one most of its people live in, so a recipient in the smaller part may be an hour off.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from events.models import Volunteer

DATA = Path(__file__).resolve().parent / "data"

# The state's main time zone. Split states, and the zone chosen (where most people live):
# AK Anchorage (the Aleutians west of 169°30' W are Hawaii-Aleutian), FL Eastern (the western
# panhandle is Central), ID Mountain (Boise; the north is Pacific), IN Eastern (a few counties
# near Chicago and Evansville are Central), KS Central (four western counties are Mountain),
# KY Eastern (Louisville, Lexington; the west is Central), MI Eastern (four Upper Peninsula
# counties are Central), NE Central (the panhandle is Mountain), ND Central (the southwest is
# Mountain), OR Pacific (most of Malheur County is Mountain), SD Central (the west is Mountain),
# TN Central (Nashville, Memphis; East Tennessee is Eastern), TX Central (El Paso and Hudspeth
# are Mountain). Arizona keeps standard time all year (America/Phoenix), Hawaii too.
STATE_TIME_ZONES: dict[str, str] = {
    "AL": "America/Chicago",
    "AK": "America/Anchorage",
    "AZ": "America/Phoenix",
    "AR": "America/Chicago",
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "CT": "America/New_York",
    "DE": "America/New_York",
    "DC": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "HI": "Pacific/Honolulu",
    "ID": "America/Boise",
    "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago",
    "KS": "America/Chicago",
    "KY": "America/New_York",
    "LA": "America/Chicago",
    "ME": "America/New_York",
    "MD": "America/New_York",
    "MA": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MS": "America/Chicago",
    "MO": "America/Chicago",
    "MT": "America/Denver",
    "NE": "America/Chicago",
    "NV": "America/Los_Angeles",
    "NH": "America/New_York",
    "NJ": "America/New_York",
    "NM": "America/Denver",
    "NY": "America/New_York",
    "NC": "America/New_York",
    "ND": "America/Chicago",
    "OH": "America/New_York",
    "OK": "America/Chicago",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "RI": "America/New_York",
    "SC": "America/New_York",
    "SD": "America/Chicago",
    "TN": "America/Chicago",
    "TX": "America/Chicago",
    "UT": "America/Denver",
    "VT": "America/New_York",
    "VA": "America/New_York",
    "WA": "America/Los_Angeles",
    "WV": "America/New_York",
    "WI": "America/Chicago",
    "WY": "America/Denver",
    # The territories in the North American Numbering Plan.
    "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas",
    "GU": "Pacific/Guam",
    "MP": "Pacific/Saipan",
    "AS": "Pacific/Pago_Pago",
}


@dataclass(frozen=True)
class RecipientPlace:
    """A recipient's state and its time zone; both None when neither ZIP nor number tells."""

    state: str | None
    time_zone: str | None
    source: str  # "zip", "area_code" or "" (unknown)


UNKNOWN = RecipientPlace(state=None, time_zone=None, source="")


@cache
def area_code_states() -> dict[str, str]:
    """Area code ("319") -> state ("IA"), from messaging/data/us_area_codes.csv."""
    with (DATA / "us_area_codes.csv").open(newline="") as handle:
        return {row["area_code"]: row["state"] for row in csv.DictReader(handle)}


@cache
def zip_prefix_states() -> dict[str, str]:
    """3-digit ZIP prefix ("503") -> state ("IA"), from the ranges in us_zip_prefixes.csv."""
    prefixes: dict[str, str] = {}
    with (DATA / "us_zip_prefixes.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            for prefix in range(int(row["first"]), int(row["last"]) + 1):
                prefixes[f"{prefix:03d}"] = row["state"]
    return prefixes


def state_for_zip(zip_code: str) -> str | None:
    """The state of a 5-digit ZIP (ZIP+4 accepted); None for anything else or an unused prefix."""
    match = re.fullmatch(r"\s*(\d{5})(?:-?\d{4})?\s*", zip_code or "")
    return zip_prefix_states().get(match.group(1)[:3]) if match else None


def state_for_phone(phone: str) -> str | None:
    """The state of a US number's area code (E.164 +1NXXNXXXXXX or 10 digits); None when the
    number is not a NANP number or its area code is not a US one (Canada, toll-free, unused)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return None
    return area_code_states().get(digits[:3])


def recipient_place(*, phone: str, zip_code: str = "") -> RecipientPlace:
    """The recipient's state and zone: from the ZIP when it names a state, else the area code."""
    state = state_for_zip(zip_code)
    source = "zip"
    if state is None:
        state, source = state_for_phone(phone), "area_code"
    if state is None or state not in STATE_TIME_ZONES:
        return UNKNOWN
    return RecipientPlace(state=state, time_zone=STATE_TIME_ZONES[state], source=source)


def recipient_zip_codes(volunteer_ids: Iterable[int | None]) -> dict[int, str]:
    """Volunteer id -> the ZIP code they gave (only those who gave one), in one query."""
    ids = {volunteer_id for volunteer_id in volunteer_ids if volunteer_id is not None}
    if not ids:
        return {}
    return dict(
        Volunteer.objects.filter(pk__in=ids).exclude(zip_code="").values_list("pk", "zip_code")
    )
