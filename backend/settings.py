"""Settings for the DontLookAway field backend, read from the environment (12-factor).

One block per concern, each setting set once: core, security and transport, database, cache,
Celery, static files and request limits, API (REST framework, OpenAPI), accounts, privacy,
logging, geocoding, imports, canvassing and sync, events, SMS. Every variable is listed in
`.env.example` and in docs/configuration.md.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from backend.env import Env, load_dotenv, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")
env = Env()

# --- Core -----------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = secret_key(env, debug=DEBUG)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off")
# The address clients reach this server at: manage links, calendar ids, webhook signatures.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "backend.api",
    "backend.accounts",
    "backend.geo",
    "backend.audit",
    "backend.privacy",
    # The field console's shared pages (login, base template, its own and vendored assets).
    "backend.console",
    "canvass",
    # Before events: its privacy eraser finds a volunteer's texts by the number that events'
    # eraser then removes (erasers run in app order).
    "messaging",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Gzips API JSON for clients that accept it (never HTML or a response setting a cookie:
    # BREACH); placed early so it compresses the final body (docs/queues-and-payloads.md).
    "backend.api.middleware.ApiGZipMiddleware",
    # Serves collectstatic's output (docs' Swagger UI, the admin) in production, with far-future
    # cache headers on the hashed names and pre-compressed copies; runserver serves them in DEBUG.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "backend.api.errors.ApiJsonErrorMiddleware",
    "backend.api.middleware.RequestSizeLimitMiddleware",
    "backend.api.middleware.BadTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The console's language (the session's choice from its switch, else Accept-Language); the
    # API stays in English.
    "backend.console.middleware.ConsoleLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With a read replica: a user who just wrote reads the primary for a while (backend/db/routers.py).
    "backend.db.routers.PrimaryAfterWriteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", "America/Chicago")
USE_I18N = True
# The field console speaks English and Spanish; its catalogue is locale/ (the .mo files are
# committed beside the .po files, and tests/console/test_i18n.py checks they match).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The languages volunteers, voters, canvassers and texts may use (ISO 639-1 codes; English is the
# fallback for every missing translation). backend/languages.py; the texts' catalogues are
# messaging/locale/<code>/LC_MESSAGES/sms.po.
FIELD_LANGUAGES = env.list("FIELD_LANGUAGES", ["en", "es", "vi", "ar", "sw", "fr"])
USE_TZ = True

# --- Security and transport (check --deploy) ------------------------------------------------
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Database -------------------------------------------------------------------------------
# SQLite under var/ is only the zero-setup default for `make run`; production and CI use
# PostgreSQL through DATABASE_URL.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASE_URL = env.str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'dev.sqlite3'}")
# DATABASE_POOLER=pgbouncer: the URLs below lead to PgBouncer in transaction pooling, where one
# server connection serves a client for one transaction only (docs/scaling-databases.md): no
# `options` startup parameter (PgBouncer refuses it: set the statement timeout on the server's
# side), no server-side cursors (Django's WITH HOLD cursors outside a transaction would be fetched
# on another server connection), no prepared statements (named per server connection).
DATABASE_POOLER = env.choice("DATABASE_POOLER", "none", {"none", "pgbouncer"})
# A streaming replica for the reads that tolerate lag (backend/db/routers.py); empty: none. A
# user who wrote in the last DATABASE_REPLICA_STICKY_SECONDS reads from the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL")
DATABASE_REPLICA_STICKY_SECONDS = env.int("DATABASE_REPLICA_STICKY_SECONDS", 30, minimum=0)
_conn_max_age = env.int("DB_CONN_MAX_AGE", 60, minimum=0)
_statement_timeout_ms = env.int("DB_STATEMENT_TIMEOUT_MS", 30_000, minimum=0)


def _database(name: str, url: str) -> dict[str, Any]:
    try:
        database: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    # CONN_HEALTH_CHECKS: a connection that died (PostgreSQL restarted) is replaced at the start
    # of the next request instead of failing it.
    database["CONN_MAX_AGE"] = _conn_max_age
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    options = database.setdefault("OPTIONS", {})
    if DATABASE_POOLER == "pgbouncer":
        options["prepare_threshold"] = None
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        options["options"] = f"-c statement_timeout={_statement_timeout_ms}"
    return database


DATABASES = {"default": _database("DATABASE_URL", DATABASE_URL)}
if DATABASE_REPLICA_URL:
    # Tests read the primary's test database through it (the replica has no test database).
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL", DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["backend.db.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttles, geocoder rate limits) ------------------------------------------------
REDIS_URL = env.str("REDIS_URL")
if REDIS_URL:
    # Degrades to "no cache" while Redis is down instead of failing requests (backend/api/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "backend.api.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps its last-run times here: a writable temporary directory, not the working directory
# (the image's /app is root-owned and read-only to the unprivileged user beat runs as).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(Path(tempfile.gettempdir()) / "celerybeat-schedule")
)

# --- Static files, uploads and request limits -----------------------------------------------
# `manage.py collectstatic` copies every app's assets here (the image does it at build time);
# WhiteNoise serves them from gunicorn itself, so production needs no separate file server.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# The field console's vendored browser assets: `make assets` copies them from npm's
# node_modules/ into backend/console/static/console/vendor/ (not committed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Body limits, enforced by backend.api.middleware.RequestSizeLimitMiddleware (413 beyond them).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", 5 * 1024 * 1024, minimum=1024)
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", 200 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads spool to a temporary file

# --- API: REST framework and the OpenAPI schema ---------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only; the few upload endpoints add MultiPartParser themselves.
    "DEFAULT_PARSER_CLASSES": ["backend.api.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's own throttles, counted atomically (backend/api/throttling.py).
        "backend.api.throttling.AnonRateThrottle",
        "backend.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", "120/minute"),
        "user": env.str("THROTTLE_USER", "1200/minute"),
        # Public signups per client IP, and per phone number.
        "signup": env.str("THROTTLE_SIGNUP", "20/hour"),
        "signup_phone": env.str("THROTTLE_SIGNUP_PHONE", "10/hour"),
        # Public endorsements per client IP, and per phone number (refused ones count too).
        "endorsement": env.str("THROTTLE_ENDORSEMENT", "20/hour"),
        "endorsement_phone": env.str("THROTTLE_ENDORSEMENT_PHONE", "5/hour"),
    },
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.AcceptHeaderVersioning",
    "DEFAULT_VERSION": "1",
    "ALLOWED_VERSIONS": ["1"],
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "backend.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_MAX_PAGE_SIZE = 200

SPECTACULAR_SETTINGS = {
    "TITLE": "DontLookAway field API",
    "DESCRIPTION": "Canvassing, turf, caucus-site events and volunteer SMS for the #DontLookAway outreach.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "GET_LIB_DOC_EXCLUDES": "backend.api.schema.lib_doc_excludes",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.api.schema.add_text_patterns",
    ],
    # Distinct OpenAPI enum names for choice sets that share values.
    "ENUM_NAME_OVERRIDES": {
        # events
        "EventStatusEnum": "events.models.EventStatus",
        "EventKindEnum": "events.models.EventKind",
        "CaucusKindEnum": "events.models.CaucusKind",
        "SatelliteKindEnum": "events.models.SatelliteKind",
        "MatchStatusEnum": ["matched", "ambiguous", "unmatched"],
        "FieldLanguageEnum": "backend.languages.language_choices",
        # canvass
        "TurfStatusEnum": "canvass.models.TurfStatus",
        "GeocodeStatusEnum": "canvass.models.GeocodeStatus",
        "ImportKindEnum": "canvass.models.ImportKind",
        "ImportStateEnum": "canvass.models.ImportState",
        "EscalationStepEnum": "canvass.models.EscalationStep",
        "FieldSessionStatusEnum": "canvass.models.FieldSessionStatus",
        "IncidentKindEnum": "canvass.models.IncidentKind",
        "IncidentAreaKindEnum": "canvass.models.AreaKind",
        # events
        "ShiftStatusEnum": "events.models.ShiftStatus",
        "SignupStatusEnum": "events.models.SignupStatus",
        "AttendanceStatusEnum": ["attended", "no_show", "confirmed"],
        # accounts
        "UserRoleEnum": "backend.accounts.models.Role",
        # events
        "ShiftRoleEnum": "events.models.ShiftRole",
        "SignupSourceEnum": "events.models.SignupSource",
        "PublicSignupSourceEnum": ["web", "app"],
        # sms
        "SmsKindEnum": "messaging.models.outbox.SmsKind",
        "SmsStatusEnum": "messaging.models.outbox.SmsStatus",
        "InboundActionEnum": "messaging.models.inbound.InboundAction",
        "OptOutReasonEnum": "messaging.models.optouts.OptOutReason",
        # canvass endorsements
        "EndorsementStatusEnum": "canvass.models.EndorsementStatus",
        "EndorserKindEnum": "canvass.models.EndorserKind",
        # canvass: the leaders' scorecard
        "LeaderStanceEnum": "canvass.models.Stance",
        # canvass sync
        "PushItemStatusEnum": ["created", "duplicate", "rejected"],
        "ConversationResultEnum": "canvass.models.Result",
        "QuestionKindEnum": "canvass.models.QuestionKind",
        "LogFlagEnum": ["distance", "pace", "unverified"],
        "ReviewActionEnum": "canvass.models.ReviewAction",
        "RevisionActionEnum": ["edit", "delete"],
        "SafetyFlagEnum": ["do_not_knock", "moved", "deceased"],
    },
}

# --- Accounts: users, passwords, tokens -----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: the hook that revokes every token when a password changes, by any path.
    {"NAME": "backend.accounts.password_validation.RevokeTokensOnPasswordChange"},
]
# Short-lived access tokens; a long-lived refresh token (rotated on each use) renews them, so a
# phone that was offline all day refreshes first and then syncs.
AUTH_ACCESS_TOKEN_TTL_MINUTES = env.int("AUTH_ACCESS_TOKEN_TTL_MINUTES", 60, minimum=1)
AUTH_REFRESH_TOKEN_TTL_DAYS = env.int("AUTH_REFRESH_TOKEN_TTL_DAYS", 14, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)
LOGIN_FAILURE_LIMIT_ACCOUNT = env.int("LOGIN_FAILURE_LIMIT_ACCOUNT", 5, minimum=1)
LOGIN_FAILURE_LIMIT_IP = env.int("LOGIN_FAILURE_LIMIT_IP", 30, minimum=1)

# --- Privacy: encryption at rest, keyed hashes, retention (backend/crypto.py) ---------------
# Comma-separated Fernet keys, newest first; the newest encrypts, all decrypt. In DEBUG a key is
# derived from SECRET_KEY when none is set. Generate one with:
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
PII_HASH_KEY = env.str("PII_HASH_KEY")
if not DEBUG and not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is required when DEBUG is off")
if not DEBUG and len(PII_HASH_KEY) < 32:
    raise ImproperlyConfigured("PII_HASH_KEY (32+ random characters) is required when DEBUG is off")
# Notes, free-text SMS replies and device locations are cleared this many days after they were
# written (a daily task); counts stay.
RETENTION_DAYS = env.int("RETENTION_DAYS", 120, minimum=1)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Geocoding (geopy) ----------------------------------------------------------------------
GEOCODER = env.choice("GEOCODER", "off", {"off", "nominatim"})
GEOCODER_DOMAIN = env.str("GEOCODER_DOMAIN", "nominatim.openstreetmap.org")
GEOCODER_SCHEME = env.choice("GEOCODER_SCHEME", "https", {"http", "https"})
GEOCODER_USER_AGENT = env.str("GEOCODER_USER_AGENT", "dontlookaway-field-backend")
GEOCODER_MIN_DELAY_SECONDS = env.float("GEOCODER_MIN_DELAY_SECONDS", 1.0, minimum=0.0)
GEOCODER_TIMEOUT_SECONDS = env.float("GEOCODER_TIMEOUT_SECONDS", 10.0, minimum=0.1)
GEOCODER_ERROR_WAIT_SECONDS = env.float("GEOCODER_ERROR_WAIT_SECONDS", 5.0, minimum=0.0)
# The circuit breaker: after this many consecutive failed calls, stop asking for the cool-down.
GEOCODER_BREAKER_FAILURES = env.int("GEOCODER_BREAKER_FAILURES", 3, minimum=1)
GEOCODER_BREAKER_COOLDOWN_SECONDS = env.float(
    "GEOCODER_BREAKER_COOLDOWN_SECONDS", 120.0, minimum=1.0
)

# --- Imports and shared data ----------------------------------------------------------------
# Uploaded import files wait here for their background job (shared by web and worker hosts).
IMPORT_UPLOAD_DIR = Path(env.str("IMPORT_UPLOAD_DIR", str(BASE_DIR / "var" / "imports")))
# An import of a statewide file runs far longer than the default task limit.
IMPORT_TASK_TIME_LIMIT_SECONDS = env.int("IMPORT_TASK_TIME_LIMIT_SECONDS", 4 * 60 * 60, minimum=60)
# Real public data (Iowa precincts, polling places, test vectors) used by seed_demo and the tests;
# the repository expects it beside the clone, at ../shared/data.
SHARED_DATA_DIR = Path(env.str("SHARED_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))

# --- Canvassing and sync --------------------------------------------------------------------
CANVASS_DISTANCE_FLAG_METERS = env.float("CANVASS_DISTANCE_FLAG_METERS", 150.0, minimum=1.0)
CANVASS_MAX_DOORS_PER_HOUR = env.int("CANVASS_MAX_DOORS_PER_HOUR", 40, minimum=1)
CANVASS_EDIT_WINDOW_HOURS = env.int("CANVASS_EDIT_WINDOW_HOURS", 24, minimum=0)
SYNC_MAX_BATCH = env.int("SYNC_MAX_BATCH", 500, minimum=1)
# A contacted_at further than this ahead of the server clock is refused (device clocks drift).
SYNC_MAX_CLOCK_SKEW_MINUTES = env.int("SYNC_MAX_CLOCK_SKEW_MINUTES", 10, minimum=0)
# Rows per pull page (the client may ask for fewer with ?limit=).
SYNC_PULL_PAGE_SIZE = env.int("SYNC_PULL_PAGE_SIZE", 500, minimum=1)
# Longest conversation note; longer notes are refused for that log item.
CANVASS_NOTES_MAX_LENGTH = env.int("CANVASS_NOTES_MAX_LENGTH", 1000, minimum=1)
# Words that suggest someone's immigration or citizenship status was written down (English and
# Spanish; matched on normalized tokens, see canvass/notes.py). A note containing one is refused.
CANVASS_SENSITIVE_WORDS = env.list(
    "CANVASS_SENSITIVE_WORDS",
    [
        "undocumented",
        "illegal",
        "illegals",
        "illegal alien",
        "visa",
        "green card",
        "citizenship",
        "deport",
        "deported",
        "deportation",
        "ICE",
        "immigration status",
        "daca",
        "asylum",
        "indocumentado",
        "indocumentada",
        "sin papeles",
        "ciudadania",
        "ciudadano",
        "ciudadana",
        "migra",
        "deportado",
        "deportada",
        "deportacion",
        "deportar",
        "deportaron",
        "deporto",
        "deportan",
        "deporten",
        "tarjeta verde",
        "residencia",
        "ilegal",
        "non citizen",
        "dacamented",
        "refugee status",
        "sin documentos",
        "estatus migratorio",
        "asilo",
    ],
)
# Everyday phrases that use a listed word innocently; never flagged (same normalization).
CANVASS_INNOCENT_PHRASES = env.list(
    "CANVASS_INNOCENT_PHRASES",
    [
        "visa card",
        "visa debit",
        "visa credit",
        "visa gift",
        "visa prepaid",
        "tarjeta visa",
        "paid with visa",
        "paid by visa",
        "pay with visa",
        "pay by visa",
        "ice cream",
        "ice storm",
        "illegal parking",
        "illegal dumping",
        "illegal fireworks",
        "lugar de residencia",
        "residencia de ancianos",
        "residencia universitaria",
        "asilo de ancianos",
    ],
)

# --- Events and volunteers ------------------------------------------------------------------
# How long a volunteer's signed "manage my signups" link stays valid.
EVENTS_MANAGE_LINK_MAX_AGE_DAYS = env.int("EVENTS_MANAGE_LINK_MAX_AGE_DAYS", 180, minimum=1)
# Linking an account to a volunteer record: a one-time code texted to the number proves it.
VOLUNTEER_LINK_CODE_TTL_SECONDS = env.int("VOLUNTEER_LINK_CODE_TTL_SECONDS", 600, minimum=60)
VOLUNTEER_LINK_CODE_MAX_ATTEMPTS = env.int("VOLUNTEER_LINK_CODE_MAX_ATTEMPTS", 5, minimum=1)
VOLUNTEER_LINK_CODES_PER_ACCOUNT = env.int("VOLUNTEER_LINK_CODES_PER_ACCOUNT", 5, minimum=1)
VOLUNTEER_LINK_CODES_PER_NUMBER = env.int("VOLUNTEER_LINK_CODES_PER_NUMBER", 3, minimum=1)
VOLUNTEER_LINK_VERIFY_PER_ACCOUNT = env.int("VOLUNTEER_LINK_VERIFY_PER_ACCOUNT", 10, minimum=1)
# A sensitive event's address reaches its vetted, confirmed volunteers this long before their
# shift: by text, and on their manage link from then on (docs/safety.md).
SENSITIVE_ADDRESS_RELEASE_MINUTES = env.int("SENSITIVE_ADDRESS_RELEASE_MINUTES", 120, minimum=0)
# Know-your-rights texts sent at the door: most per canvasser per hour (429 beyond).
KYR_SENDS_PER_HOUR_PER_CANVASSER = env.int("KYR_SENDS_PER_HOUR_PER_CANVASSER", 20, minimum=1)

# --- Endorsements ---------------------------------------------------------------------------
# An unconfirmed endorsement (no YES reply, no signed link opened) is purged after this long;
# the confirmation link stops working at the same moment.
ENDORSEMENT_CONFIRM_TTL_HOURS = env.int("ENDORSEMENT_CONFIRM_TTL_HOURS", 72, minimum=1)
# Email for confirmation links: a Django mail backend (console in development, locmem in tests;
# an smtp relay needs its host settings, not exposed yet: see docs/endorsements.md).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "DontLookAway Iowa <no-reply@localhost>")

# --- SMS: the transport (backend/sms/) and the texting rules --------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", "backend.sms.backends.console.SmsBackend")
SMS_ORGANIZATION_NAME = env.str("SMS_ORGANIZATION_NAME", "DontLookAway Iowa")
# Languages whose letters outside GSM-7 (á í ó ú, curly quotes) are spelled in GSM-7 in texts,
# so one accented event title does not make a text UCS-2 (70 characters a segment instead of
# 160); languages not listed keep their letters (Vietnamese and Arabic need them).
SMS_TRANSLITERATE = env.list("SMS_TRANSLITERATE", ["en", "es", "fr", "sw"])
# The most segments any text may cost with its longest values (tests/messaging/test_templates.py
# fails the build above it); messaging/templates.py SEGMENT_BUDGETS sets tighter ones.
SMS_SEGMENT_BUDGET = env.int("SMS_SEGMENT_BUDGET", 2, minimum=1)
# The provider's own variables are read beside its backend, in backend/sms/.
from backend.sms.provider_settings import *  # noqa: E402, F403

# No text between these local hours (event's time zone): [start, 24) and [0, end).
SMS_QUIET_HOURS_START = env.int("SMS_QUIET_HOURS_START", 21, minimum=0)
SMS_QUIET_HOURS_END = env.int("SMS_QUIET_HOURS_END", 8, minimum=0)


def _state_quiet_hours(entries: list[str]) -> dict[str, tuple[int, int]]:
    """ "FL:20-8" -> {"FL": (20, 8)}: quiet from 20:00 to 08:00 in that state (its main zone)."""
    table: dict[str, tuple[int, int]] = {}
    for entry in entries:
        state, _, hours = entry.partition(":")
        start, _, end = hours.partition("-")
        if not (len(state) == 2 and state.isalpha() and start.isdigit() and end.isdigit()):
            raise ImproperlyConfigured(
                f"SMS_STATE_QUIET_HOURS: {entry!r} is not STATE:START-END, e.g. FL:20-8."
            )
        if int(start) > 23 or int(end) > 23:
            raise ImproperlyConfigured(f"SMS_STATE_QUIET_HOURS: {entry!r} has an hour above 23.")
        table[state.upper()] = (int(start), int(end))
    return table


# Stricter quiet hours where a state's law sets them, in the recipient's zone (docs/sms.md,
# "Quiet hours follow the recipient"); a text goes only when both these and the event's allow.
SMS_STATE_QUIET_HOURS = _state_quiet_hours(
    env.list("SMS_STATE_QUIET_HOURS", ["FL:20-8", "MD:20-8", "OK:20-8", "WA:20-8"])
)
# Reminders before a shift, in hours (a reminder whose time already passed is not sent).
SMS_REMINDER_OFFSETS_HOURS = [
    int(value) for value in env.list("SMS_REMINDER_OFFSETS_HOURS", ["24", "2"])
]
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", 5, minimum=1)
SMS_RETRY_BASE_SECONDS = env.float("SMS_RETRY_BASE_SECONDS", 30.0, minimum=0.0)
SMS_RETRY_MAX_SECONDS = env.float("SMS_RETRY_MAX_SECONDS", 3600.0, minimum=0.0)
# Messages per second per sender, shared by every dispatcher (0 = no limit).
SMS_RATE_PER_SECOND = env.float("SMS_RATE_PER_SECOND", 1.0, minimum=0.0)
# Senders (numbers) in the pool the carriers granted SMS_RATE_PER_SECOND each: the capacity the
# limiter and the send forecast use is their product (docs/sms-capacity.md).
SMS_SENDER_COUNT = env.int("SMS_SENDER_COUNT", 1, minimum=1)
SMS_DAILY_CAP_PER_VOLUNTEER = env.int("SMS_DAILY_CAP_PER_VOLUNTEER", 10, minimum=1)
SMS_DAILY_CAP_ORGANIZATION = env.int("SMS_DAILY_CAP_ORGANIZATION", 5000, minimum=1)
# The same caps counted in SMS segments (what carriers bill; a long or UCS-2 text is several).
SMS_DAILY_SEGMENT_CAP_PER_VOLUNTEER = env.int("SMS_DAILY_SEGMENT_CAP_PER_VOLUNTEER", 20, minimum=1)
SMS_DAILY_SEGMENT_CAP_PER_ORGANIZATION = env.int(
    "SMS_DAILY_SEGMENT_CAP_PER_ORGANIZATION", 10000, minimum=1
)
# Opt-out keywords besides the carrier ones (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, ...).
SMS_EXTRA_OPT_OUT_KEYWORDS = env.list("SMS_EXTRA_OPT_OUT_KEYWORDS", ["PARAR", "ALTO", "DETENER"])
# A claimed row not marked "sending" within this lease goes back to the queue (worker died
# before sending); a row left "sending" this long becomes "unknown" (never resent blindly).
SMS_CLAIM_LEASE_SECONDS = env.int("SMS_CLAIM_LEASE_SECONDS", 120, minimum=5)
SMS_SENDING_TIMEOUT_SECONDS = env.int("SMS_SENDING_TIMEOUT_SECONDS", 300, minimum=10)
SMS_DISPATCH_BATCH_SIZE = env.int("SMS_DISPATCH_BATCH_SIZE", 50, minimum=1)
# Threads sending claimed texts at once (each mostly waits on the provider; the rate still
# holds). Enough that one is always ready when the rate bucket gives a token: a bucket with no
# burst loses every moment no thread is waiting.
SMS_DISPATCH_THREADS = env.int("SMS_DISPATCH_THREADS", 8, minimum=1)
# Text keywords (messaging/services/keywords.py, docs/sms-keywords.md): how long "2" keeps meaning
# the second item of the last SHIFTS or MY list, and how far from the ZIP code SHIFTS looks.
SMS_CONVERSATION_MINUTES = env.int("SMS_CONVERSATION_MINUTES", 30, minimum=1)
SMS_KEYWORD_RADIUS_KM = env.float("SMS_KEYWORD_RADIUS_KM", 25.0, minimum=0.1)

# --- Field safety: check-ins during canvassing sessions (canvass/services/safety.py) --------
# Check-in interval of teams whose leads set none (a team's own lies within 5..240 minutes).
SAFETY_CHECKIN_INTERVAL_MINUTES = env.int("SAFETY_CHECKIN_INTERVAL_MINUTES", 30, minimum=5)
if SAFETY_CHECKIN_INTERVAL_MINUTES > 240:
    raise ImproperlyConfigured("SAFETY_CHECKIN_INTERVAL_MINUTES must be at most 240.")
# A missed check-in texts the canvasser at the deadline, their field leads this many minutes
# later, and the organizers this many minutes after the field leads.
SAFETY_FIELD_LEAD_GRACE_MINUTES = env.int("SAFETY_FIELD_LEAD_GRACE_MINUTES", 5, minimum=1)
SAFETY_ORGANIZER_GRACE_MINUTES = env.int("SAFETY_ORGANIZER_GRACE_MINUTES", 5, minimum=1)

# --- Field console --------------------------------------------------------------------------
# The turf map needs no tile server: precinct and county outlines are the map. A deployment with
# a tile server names it here ({z}/{x}/{y} template, e.g. https://tiles.example.org/{z}/{x}/{y}.png).
CONSOLE_TILE_URL = env.str("CONSOLE_TILE_URL", "")
CONSOLE_TILE_ATTRIBUTION = env.str("CONSOLE_TILE_ATTRIBUTION", "")
