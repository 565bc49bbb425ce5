"""Address normalization: one spelling per door, so voters at the same address share it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

_PUNCT = re.compile(r"[^\w\s/-]+")
_SPACES = re.compile(r"\s+")
_UNIT_IN_STREET = re.compile(
    r"\s+(?:APT|APARTMENT|UNIT|STE|SUITE|#|NO|LOT|RM|ROOM|FL|FLOOR|TRLR|BLDG)\s*#?\s*([\w-]+)$"
)
_HASH_UNIT = re.compile(r"\s*#\s*([\w-]+)$")
_UNIT_PREFIX = re.compile(r"^(?:APT|APARTMENT|UNIT|STE|SUITE|NO|LOT|RM|ROOM|#)\s*#?\s*")
_STATE = re.compile(r"[A-Z]{2}")
_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")

SUFFIXES = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "ROAD": "RD",
    "DRIVE": "DR",
    "LANE": "LN",
    "BOULEVARD": "BLVD",
    "COURT": "CT",
    "PLACE": "PL",
    "CIRCLE": "CIR",
    "TERRACE": "TER",
    "PARKWAY": "PKWY",
    "HIGHWAY": "HWY",
    "TRAIL": "TRL",
    "PARKS": "PARK",
}
DIRECTIONS = {
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
}


class AddressError(ValueError):
    pass


@dataclass(frozen=True)
class NormalizedAddress:
    street: str
    unit: str
    city: str
    state: str
    zip_code: str

    @cached_property
    def key(self) -> str:
        # ZIP is the better locality key; the city stands in only when the ZIP is missing.
        locality = self.zip_code or self.city
        return "|".join((self.street, self.unit, locality, self.state))

    @property
    def building_line(self) -> str:
        """The address without the unit: what a geocoder can locate (units share the door's
        coordinates, and the cache then answers every unit of a building from one lookup)."""
        tail = f"{self.state} {self.zip_code}".strip()
        return ", ".join(part for part in (self.street, self.city, tail) if part)

    @property
    def one_line(self) -> str:
        street = f"{self.street} UNIT {self.unit}" if self.unit else self.street
        tail = f"{self.state} {self.zip_code}".strip()
        return ", ".join(part for part in (street, self.city, tail) if part)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub(" ", text.upper())).strip()


@lru_cache(maxsize=4096)
def _clean_place(text: str) -> str:
    # Cities and states repeat across a whole file: clean each spelling once.
    return _clean(text)


def normalize_address(
    *, street: str, unit: str = "", city: str = "", state: str = "", zip_code: str = ""
) -> NormalizedAddress:
    """See _normalize_address; the voters of one door repeat its spelling, so a bounded cache
    answers most rows of a voter file (an AddressError is not cached, and is rare)."""
    return _normalize_cached(street, unit, city, state, zip_code)


@lru_cache(maxsize=16384)
def _normalize_cached(
    street: str, unit: str, city: str, state: str, zip_code: str
) -> NormalizedAddress:
    return _normalize_address(street=street, unit=unit, city=city, state=state, zip_code=zip_code)


def _normalize_address(
    *, street: str, unit: str = "", city: str = "", state: str = "", zip_code: str = ""
) -> NormalizedAddress:
    """Upper-case, punctuation-free, standard suffixes and directions; unit split off the street.

    Raises AddressError when there is no street with a house number, no city or ZIP, or the
    state or ZIP is malformed.
    """
    raw_street = (street or "").upper().strip()
    raw_unit = (unit or "").upper().strip()
    if not raw_unit:
        match = _UNIT_IN_STREET.search(raw_street) or _HASH_UNIT.search(raw_street)
        if match:
            raw_unit = match.group(1)
            raw_street = raw_street[: match.start()]
    words = _clean(raw_street).split(" ")
    words = [DIRECTIONS.get(word, word) for word in words]
    if len(words) > 1:
        words[-1] = SUFFIXES.get(words[-1], words[-1])
    street_text = " ".join(word for word in words if word)
    if not street_text:
        raise AddressError("missing street address")
    if not any(ch.isdigit() for ch in street_text.split(" ")[0]):
        raise AddressError("street address has no house number")
    unit_text = (
        _clean(_UNIT_PREFIX.sub("", _clean(raw_unit.replace("#", " # ")))) if raw_unit else ""
    )
    city_text = _clean_place(city or "")
    state_text = _clean_place(state or "")
    if state_text and not _STATE.fullmatch(state_text):
        raise AddressError("state must be a two-letter code")
    zip_text = (zip_code or "").strip()
    if zip_text:
        match = _ZIP.match(zip_text)
        if not match:
            raise AddressError("ZIP code must be 5 digits (or ZIP+4)")
        zip_text = match.group(1)
    if not city_text and not zip_text:
        raise AddressError("address needs a city or a ZIP code")
    return NormalizedAddress(
        street_text[:200], unit_text[:40], city_text[:80], state_text, zip_text
    )
