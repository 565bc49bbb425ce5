"""Geocoding and distances over geopy.

`geocode_address()` is the one entry point for turning an address into a door location. It
normalizes the address, answers from the cache when it can, otherwise asks the configured geopy
geocoder (Nominatim by default) through geopy's RateLimiter, and classifies the answer: only a
house- or building-level match is a door; a match on a street, city, county or state is
"coarse" and never used as a location.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from geopy.adapters import RequestsAdapter
from geopy.distance import EARTH_RADIUS, great_circle
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from backend.geo.models import GeocodeCacheEntry, GeocodePrecision


class _WithholdAddresses(logging.Filter):
    """geopy's RateLimiter logs each retried call with its arguments (the address) and the
    traceback (which can hold the request URL): keep the fact, drop the address."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "Called with" in str(record.msg):
            record.msg = "Geocoder call failed; retrying or giving up (address withheld)."
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


logging.getLogger("geopy").addFilter(_WithholdAddresses())

# Nominatim place_rank 28+ is a house, building or POI; 26-27 a street; lower is an area.
DOOR_MIN_PLACE_RANK = 28
DOOR_TYPES = {"house", "building", "apartments", "residential_building", "detached", "terrace"}


class GeocodingUnavailableError(Exception):
    """The geocoder could not be reached or answered with an error (not: found nothing)."""


class GeocoderPausedError(GeocodingUnavailableError):
    """The circuit breaker is open: the geocoder failed repeatedly and is not being asked."""


class CircuitBreaker:
    """One breaker for every caller of the geocoder (voter import, site import, retries).

    After `GEOCODER_BREAKER_FAILURES` consecutive failed calls it opens for
    `GEOCODER_BREAKER_COOLDOWN_SECONDS`: calls fail at once instead of waiting on a dead service.
    After the cool-down one call is let through (half-open); a success closes it, a failure opens
    it again. The state lives in the Django cache, so web and worker processes share it; if the
    cache itself is down, each process keeps its own state.
    """

    FAILURES_KEY = "geo:breaker:failures"
    OPEN_UNTIL_KEY = "geo:breaker:open_until"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local: dict[str, float] = {}

    def _get(self, key: str) -> float:
        try:
            value = cache.get(key)
        except Exception:  # a cache outage must not stop geocoding
            value = self._local.get(key)
        return float(value or 0)

    def _set(self, key: str, value: float) -> None:
        self._local[key] = value
        # On a cache outage the process-local copy stands in.
        with contextlib.suppress(Exception):
            cache.set(key, value, timeout=24 * 60 * 60)

    def is_open(self) -> bool:
        return time.time() < self._get(self.OPEN_UNTIL_KEY)

    def record_success(self) -> None:
        with self._lock:
            if self._get(self.FAILURES_KEY) or self._get(self.OPEN_UNTIL_KEY):
                self._set(self.FAILURES_KEY, 0)
                self._set(self.OPEN_UNTIL_KEY, 0)

    def record_failure(self) -> None:
        with self._lock:
            failures = self._get(self.FAILURES_KEY) + 1
            self._set(self.FAILURES_KEY, failures)
            if failures >= settings.GEOCODER_BREAKER_FAILURES:
                self._set(
                    self.OPEN_UNTIL_KEY, time.time() + settings.GEOCODER_BREAKER_COOLDOWN_SECONDS
                )

    def reset(self) -> None:
        self._set(self.FAILURES_KEY, 0)
        self._set(self.OPEN_UNTIL_KEY, 0)


breaker = CircuitBreaker()


def geocoder_paused() -> bool:
    """True while the breaker is open (callers store rows with coordinates pending)."""
    return geocoder_enabled() and breaker.is_open()


@dataclass(frozen=True)
class GeocodeResult:
    precision: str
    latitude: float | None = None
    longitude: float | None = None
    display_name: str = ""
    cached: bool = False

    @property
    def is_door(self) -> bool:
        return self.precision == GeocodePrecision.DOOR


_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[.,#]+")


def normalize_address_query(text: str) -> str:
    """Upper-case, punctuation-free, single-spaced: the cache key for an address."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", text.upper())).strip()


# Words in an answer's addresstype, class or type that name an area, never a door. Nominatim's
# place_rank for such answers is not reliable (a boundary relation or a postcode can carry a high
# rank), so they are refused first, whatever the rank or the echoed house number says.
AREA_WORDS = {
    "city",
    "town",
    "village",
    "hamlet",
    "municipality",
    "county",
    "state",
    "country",
    "region",
    "postcode",
    "postal_code",
    "boundary",
    "administrative",
    "suburb",
    "neighbourhood",
    "quarter",
}


def _says_area(raw: dict[str, Any]) -> bool:
    for key in ("addresstype", "class", "type"):
        value = str(raw.get(key) or "").lower()
        if value in AREA_WORDS:
            return True
    return False


def classify_nominatim(raw: dict[str, Any]) -> str:
    """Door only for a house- or building-level answer; an area answer is always coarse."""
    if _says_area(raw):
        return GeocodePrecision.COARSE
    address = raw.get("address") or {}
    if address.get("house_number"):
        return GeocodePrecision.DOOR
    try:
        rank = int(raw.get("place_rank", -1))
    except (TypeError, ValueError):
        rank = -1
    if rank >= DOOR_MIN_PLACE_RANK:
        return GeocodePrecision.DOOR
    if rank < 0 and (raw.get("type") in DOOR_TYPES or raw.get("class") == "building"):
        return GeocodePrecision.DOOR
    return GeocodePrecision.COARSE


def geocoder_enabled() -> bool:
    return settings.GEOCODER != "off"


@lru_cache(maxsize=4)
def _nominatim_geocode(
    domain: str,
    scheme: str,
    user_agent: str,
    timeout: float,
    min_delay: float,
    error_wait: float = 5.0,
) -> Callable[..., Any]:
    def adapter(proxies: Any, ssl_context: Any) -> RequestsAdapter:
        # geopy's requests adapter retries failed connections twice by default: a dead
        # geocoder would cost three timeouts per address. Retrying is the breaker's business.
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)

    geolocator = Nominatim(
        domain=domain,
        scheme=scheme,
        user_agent=user_agent,
        timeout=timeout,
        adapter_factory=adapter,
    )
    # RateLimiter spaces calls by min_delay (Nominatim's policy is one request per second);
    # swallow_exceptions=False so outages are reported, not hidden. No retries here: a failed
    # address is stored with coordinates pending and retried later (geocode_pending), and the
    # circuit breaker stops asking after a few failures, instead of each address waiting through
    # three timeouts.
    return RateLimiter(
        geolocator.geocode,
        min_delay_seconds=min_delay,
        max_retries=0,
        error_wait_seconds=error_wait,
        swallow_exceptions=False,
    )


def _geocode_function() -> Callable[..., Any]:
    return _nominatim_geocode(
        settings.GEOCODER_DOMAIN,
        settings.GEOCODER_SCHEME,
        settings.GEOCODER_USER_AGENT,
        settings.GEOCODER_TIMEOUT_SECONDS,
        settings.GEOCODER_MIN_DELAY_SECONDS,
        settings.GEOCODER_ERROR_WAIT_SECONDS,
    )


def geocode_address(address: str) -> GeocodeResult | None:
    """Geocode one address; None when geocoding is off. Raises GeocodingUnavailableError when
    the geocoder fails (an error, a timeout, an answer that is not Nominatim's JSON), and its
    subclass GeocoderPausedError without asking while the circuit breaker is open. The cache
    answers even then."""
    if not geocoder_enabled():
        return None
    query = normalize_address_query(address)
    if not query:
        return GeocodeResult(precision=GeocodePrecision.NOT_FOUND)
    cached = GeocodeCacheEntry.objects.filter(query=query).first()
    if cached is not None:
        return GeocodeResult(
            precision=cached.precision,
            latitude=cached.latitude,
            longitude=cached.longitude,
            display_name=cached.display_name,
            cached=True,
        )
    if breaker.is_open():
        raise GeocoderPausedError("GeocoderPaused: repeated failures, not asking for a while")
    try:
        location = _geocode_function()(address, addressdetails=True, country_codes="us")
        if location is not None:
            # Touch what we use: an answer without numeric lat/lon is garbage, not a place.
            float(location.latitude), float(location.longitude)
            if not isinstance(location.raw, dict):
                raise TypeError("answer is not an object")
    except GeopyError as exc:
        breaker.record_failure()
        raise GeocodingUnavailableError(f"{type(exc).__name__}: {exc}") from exc
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        # geopy parses Nominatim's JSON without checking its shape: garbage surfaces as these.
        breaker.record_failure()
        raise GeocodingUnavailableError(f"GeocoderBadAnswer: {type(exc).__name__}") from exc
    breaker.record_success()
    if location is None:
        result = GeocodeResult(precision=GeocodePrecision.NOT_FOUND)
    else:
        result = GeocodeResult(
            precision=classify_nominatim(location.raw),
            latitude=location.latitude,
            longitude=location.longitude,
            display_name=str(location.address)[:500],
        )
    GeocodeCacheEntry.objects.update_or_create(
        query=query,
        defaults={
            "precision": result.precision,
            "latitude": result.latitude,
            "longitude": result.longitude,
            "display_name": result.display_name,
            "provider": settings.GEOCODER,
        },
    )
    return result


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres. great_circle is ~10x cheaper than geodesic and within 0.5% at door
    distances, which is far inside GPS accuracy."""
    return float(great_circle((lat1, lon1), (lat2, lon2)).meters)


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """geopy's great_circle distance in metres (same formula and radius), without building
    Point and Distance objects: ~1 µs instead of ~25 µs, for hot loops such as sync ingest."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    delta = math.radians(lon2 - lon1)
    sin1, cos1, sin2, cos2 = math.sin(phi1), math.cos(phi1), math.sin(phi2), math.cos(phi2)
    cos_delta = math.cos(delta)
    d = math.atan2(
        math.sqrt((cos2 * math.sin(delta)) ** 2 + (cos1 * sin2 - sin1 * cos2 * cos_delta) ** 2),
        sin1 * sin2 + cos1 * cos2 * cos_delta,
    )
    return EARTH_RADIUS * 1000.0 * d


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box containing the circle; for SQL prefilters."""
    import math

    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
