"""The conversation log as a phone sends it, declared once.

`LogItem` (with `DeviceLocation`) is the one declaration of a pushed log: its shape (strict types,
ranges, choices) and, beside it, the rules between its fields (`LOG_RULES`). The push checks every
item with it (`log_item_check`), a correction checks the merged log with it, and the OpenAPI
schema's request bodies are generated from it (canvass/api/serializers/sync.py). The rules that
need the database (the door is in the canvasser's turf, the voter lives there, the answers fit
the turf's script) are a second, set-based pass over the whole batch (canvass/services/sync.py).

Each field says in its `Says` what a client is told when its value is wrong; rules that find more
than one kind of problem raise their own message. Error paths are the field names, dotted for
nested values (`location.latitude`, `answers.why`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from django.conf import settings
from django.db import models
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from backend.text import contains_bad_text
from backend.times import aware_datetime_problem
from canvass.models import PlankStance, Pledge, Question, QuestionKind, Result, WillCaucus
from canvass.notes import REPHRASE_MESSAGE, mentions_immigration_status

MAX_ID = 2**63 - 1  # bigint: larger ids cannot exist, and the database would refuse them
MAX_ACCURACY_M = 100_000.0
DEVICE_ID_MAX = 64
APP_VERSION_MAX = 32
MAX_PENDING = 1_000_000
BAD_TEXT = "Text may not contain NUL characters or unpaired surrogates."
CONTACT_ONLY_MESSAGE = "Only for a contacted person."

Errors = dict[str, list[str]]


# --- What the schema generator and the error formatter read from a field ----------------------


@dataclass(frozen=True)
class Says:
    """The message a client gets when this field's value is wrong."""

    message: str


@dataclass(frozen=True)
class Choices:
    """The value is one of this TextChoices' values."""

    choices: type[models.TextChoices]


@dataclass(frozen=True)
class Text:
    """Text; `max_length_setting` names the setting that bounds its length, read at each check."""

    max_length_setting: str = ""
    allow_blank: bool = True


@dataclass(frozen=True)
class UuidText:
    """A UUID written as text."""


@dataclass(frozen=True)
class IsoDateTime:
    """An ISO 8601 date-time with a UTC offset."""


@dataclass(frozen=True)
class AnswerMap:
    """Question code -> answer (checked against the turf's script in the database pass)."""


@dataclass(frozen=True)
class Items:
    """A list of `spec` items, at least `min_length`, at most the setting `max_length_setting`."""

    spec: type[BaseModel]
    min_length: int
    max_length_setting: str


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("log", message)


def _null_is(default: Any) -> BeforeValidator:
    """The phone may send null for "not given"."""
    return BeforeValidator(lambda value: default if value is None else value)


def _one_of(choices: type[models.TextChoices]) -> AfterValidator:
    allowed = frozenset(choices.values)

    def check(value: str | None) -> str | None:
        if value is not None and value not in allowed:
            raise ValueError("not a choice")
        return value

    return AfterValidator(check)


# The text `str(uuid.UUID(...))` writes: such a value is its own canonical form (a phone sends
# this form; parsing it again would cost more than the rest of its log's checks).
_CANONICAL_UUID = re.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_uuid(value: Any) -> str:
    """The UUID as canonical text (lower case, hyphenated)."""
    if type(value) is str and _CANONICAL_UUID.fullmatch(value):
        return value
    if not isinstance(value, str):
        raise ValueError("not a UUID")
    return str(uuid.UUID(value))


def uuid_or_none(value: Any) -> str | None:
    try:
        return parse_uuid(value)
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime:
    """The aware datetime, or an error saying what is wrong with it."""
    if not isinstance(value, str):
        raise _problem("Expected an ISO 8601 date-time string.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _problem(
            "Expected an ISO 8601 date-time with a time zone, e.g. 2026-01-10T14:05:00Z."
        ) from None
    if parsed.tzinfo is None:
        raise _problem("Give the time zone (e.g. a trailing Z or +00:00).")
    offset_problem = aware_datetime_problem(parsed)
    if offset_problem:
        raise _problem(offset_problem)  # valid ISO 8601, but PostgreSQL would refuse the batch
    if not 1900 <= parsed.year <= 2200:
        raise _problem("Dates must fall between the years 1900 and 2200.")
    return parsed


def _text(setting: str = "", *, what: str = "Expected text.") -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            return ""  # the phone may send null for "no note"
        if not isinstance(value, str):
            raise _problem(what)
        # Read the setting only for a non-empty text (most notes are empty; a settings lookup
        # costs more than the rest of the check).
        if setting and value and len(value) > getattr(settings, setting):
            raise _problem(f"At most {getattr(settings, setting)} characters.")
        if contains_bad_text(value):
            raise _problem(BAD_TEXT)
        return value

    return check


def _bounded_text(max_length: int, message: str, *, min_length: int = 0) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None and not min_length:
            return ""
        if not isinstance(value, str) or not min_length <= len(value) <= max_length:
            raise _problem(message)
        if contains_bad_text(value):
            raise _problem(BAD_TEXT)
        return value

    return check


Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Flag = Annotated[StrictBool, _null_is(False)]


# --- The pushed log ---------------------------------------------------------------------------


class DeviceLocation(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    latitude: Annotated[
        StrictFloat, Field(ge=-90, le=90), Says("Expected a number from -90 to 90.")
    ]
    longitude: Annotated[
        StrictFloat, Field(ge=-180, le=180), Says("Expected a number from -180 to 180.")
    ]
    accuracy_m: Annotated[
        StrictFloat | None,
        Field(ge=0, le=MAX_ACCURACY_M),
        Says(f"Expected metres from 0 to {MAX_ACCURACY_M:g}."),
    ] = None


class LogItem(BaseModel):
    """One conversation as the phone logged it."""

    model_config = ConfigDict(strict=True, extra="ignore")

    client_uuid: Annotated[
        str,
        PlainValidator(parse_uuid),
        UuidText(),
        Says("Required: a UUID."),
        Field(description="Made by the phone; the idempotency key."),
    ]
    household: Annotated[
        Id,
        Says("Required: a household id (integer)."),
        Field(description="A door in turf assigned to you at contacted_at or at your last pull."),
    ]
    voter: Annotated[Id | None, Says("Expected a voter id (integer) or null.")] = None
    result: Annotated[
        StrictStr,
        _one_of(Result),
        Choices(Result),
        Says(f"Expected one of: {', '.join(sorted(Result.values))}."),
    ]
    do_not_knock: Annotated[
        Flag,
        Says("Expected true or false."),
        Field(description="Hostile or unsafe door: never knock again."),
    ] = False
    support_level: Annotated[
        StrictInt | None,
        Field(ge=1, le=5, description="Only if contacted."),
        Says("Expected an integer from 1 to 5."),
    ] = None
    answers: Annotated[
        dict[str, Any] | None,
        AnswerMap(),
        Says("Expected an object of question code to answer."),
    ] = None
    pledge: Annotated[
        StrictStr | None, _one_of(Pledge), Choices(Pledge), Says("Expected yes, no or undecided.")
    ] = None
    will_caucus: Annotated[
        StrictStr | None,
        _one_of(WillCaucus),
        Choices(WillCaucus),
        Says("Expected yes, no or maybe."),
    ] = None
    wants_to_volunteer: Annotated[Flag, Says("Expected true or false.")] = False
    volunteer_consent: Annotated[
        Flag,
        Says("Expected true or false."),
        Field(description="The person agreed at the door to be contacted about volunteering."),
    ] = False
    follow_up_needed: Annotated[Flag, Says("Expected true or false.")] = False
    notes: Annotated[
        str | None,
        PlainValidator(_text("CANVASS_NOTES_MAX_LENGTH")),
        Text("CANVASS_NOTES_MAX_LENGTH"),
        Says("Expected text."),
        Field(
            description="Never write anyone's immigration or citizenship status: such a note is "
            "dropped (the log is kept) with a warning."
        ),
    ] = ""
    contacted_at: Annotated[
        datetime,
        PlainValidator(parse_datetime),
        IsoDateTime(),
        Says("Expected an ISO 8601 date-time string."),
        Field(
            description="The phone's clock, with a UTC offset within ±15:59. Up to "
            "SYNC_MAX_CLOCK_SKEW_MINUTES ahead."
        ),
    ]
    location: Annotated[
        DeviceLocation | None,
        Says("Expected an object with latitude, longitude, accuracy_m."),
    ] = None


# What a canvasser may correct; device time, place, door and canvasser stay as logged.
CORRECTABLE = tuple(
    name
    for name in LogItem.model_fields
    if name not in ("client_uuid", "household", "voter", "contacted_at", "location")
)


# --- The batch envelope -----------------------------------------------------------------------


def _logs(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _problem("Expected a list of conversation logs.")
    if not value:
        raise _problem("The batch is empty.")
    return value


class PushBatch(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    device_id: Annotated[
        str,
        PlainValidator(
            _bounded_text(
                DEVICE_ID_MAX,
                f"Required: a string of 1 to {DEVICE_ID_MAX} characters.",
                min_length=1,
            )
        ),
        Text(allow_blank=False),
        Field(min_length=1, max_length=DEVICE_ID_MAX),
        Says(f"Required: a string of 1 to {DEVICE_ID_MAX} characters."),
    ]
    batch_id: Annotated[str, PlainValidator(parse_uuid), UuidText(), Says("Required: a UUID.")]
    app_version: Annotated[
        str | None,
        PlainValidator(
            _bounded_text(APP_VERSION_MAX, f"A string of at most {APP_VERSION_MAX} characters.")
        ),
        Text(),
        Field(max_length=APP_VERSION_MAX),
        Says(f"A string of at most {APP_VERSION_MAX} characters."),
    ] = ""
    pending_count: Annotated[
        StrictInt | None,
        _null_is(0),
        Field(
            ge=0,
            le=MAX_PENDING,
            description="Logs still waiting on the phone after this batch (readiness).",
        ),
        Says(f"An integer from 0 to {MAX_PENDING}."),
    ] = 0
    logs: Annotated[
        list[Any],
        PlainValidator(_logs),
        Items(LogItem, min_length=1, max_length_setting="SYNC_MAX_BATCH"),
        Says("Expected a list of conversation logs."),
    ]


# --- Checking ---------------------------------------------------------------------------------


def _messages(spec: type[BaseModel]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, info in spec.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, Says):
                found[name] = meta.message
        annotation = info.annotation
        nested = [a for a in getattr(annotation, "__args__", (annotation,)) if _is_spec(a)]
        for inner in nested:
            assert isinstance(inner, type)
            found.update({f"{name}.{k}": v for k, v in _messages(inner).items()})
    return found


def _is_spec(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def errors_of(exc: ValidationError, messages: dict[str, str], *, within: str = "") -> Errors:
    """Pydantic's errors in our shape: field path -> [the field's message, or the rule's own].
    `within`: the field a standalone value was checked for."""
    errors: Errors = {}
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        parts = [within] if within else []
        parts.extend(str(part) for part in error["loc"])
        path = ".".join(parts) or "non_field_errors"
        if error["type"] == "log":
            message = error["msg"]
        else:
            message = messages.get(path) or messages.get(path.split(".")[0], error["msg"])
        errors.setdefault(path, [message])
    return errors


_LOG_MESSAGES = _messages(LogItem)
_BATCH_MESSAGES = _messages(PushBatch)
# Each field on its own, for an item with errors: what its valid fields say is still checked by
# the rules between fields and by the database pass, as for a valid item.
_FIELDS: dict[str, tuple[FieldInfo, TypeAdapter[Any]]] = {
    name: (info, TypeAdapter(Annotated[info.annotation, *info.metadata]))  # type: ignore[misc, arg-type]
    for name, info in LogItem.model_fields.items()
}


def batch_check(payload: Any) -> tuple[PushBatch | None, Errors]:
    """The envelope of a push: (its values, None) or (None, field errors)."""
    if not isinstance(payload, dict):
        return None, {"non_field_errors": ["Expected an object."]}
    try:
        return PushBatch.model_validate(payload), {}
    except ValidationError as exc:
        return None, errors_of(exc, _BATCH_MESSAGES)


@dataclass(slots=True)
class CheckedLog:
    """One item after the spec: the values of its valid fields, its errors and warnings."""

    values: dict[str, Any]
    errors: Errors
    warnings: Errors

    @property
    def valid(self) -> bool:
        return not self.errors


def _fields_one_by_one(item: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    values: dict[str, Any] = {}
    errors: Errors = {}
    for name, (info, adapter) in _FIELDS.items():
        if name not in item:
            if info.is_required():
                errors[name] = [_LOG_MESSAGES[name]]
            else:
                values[name] = info.get_default(call_default_factory=True)
            continue
        try:
            values[name] = adapter.validate_python(item[name])
        except ValidationError as exc:
            for path, messages in errors_of(exc, _LOG_MESSAGES, within=name).items():
                errors.setdefault(path if path in _LOG_MESSAGES else name, messages)
            values[name] = item[name]  # as sent: the rules below ask only whether it was given
    return values, errors


def log_item_check(item: Any, *, now: datetime) -> CheckedLog:
    """Shape and the rules between fields, without the database."""
    return logs_check([item], now=now)[0]


def logs_check(items: list[Any], *, now: datetime) -> list[CheckedLog]:
    """`log_item_check` for each of `items`, in their order. Each model is dropped as soon as
    its values are taken: a batch that kept its models alive (validated as one list) paid more
    in garbage collection than the calls it saved."""
    validate = LogItem.__pydantic_validator__.validate_python
    out = []
    for item in items:
        if not isinstance(item, dict):
            out.append(CheckedLog({}, {"non_field_errors": ["Expected an object."]}, {}))
            continue
        errors: Errors = {}
        try:
            # The model's own attribute dict (the model is not kept): iterating a model field
            # by field costs more than the whole validation.
            values = validate(item).__dict__
        except ValidationError:
            values, errors = _fields_one_by_one(item)
        location = values.get("location")
        if isinstance(location, DeviceLocation):
            values["location"] = location.__dict__
        checked = CheckedLog(values, errors, {})
        for rule in LOG_RULES:
            rule(checked, item, now)
        out.append(checked)
    return out


# --- The rules between fields -----------------------------------------------------------------

Rule = Callable[[CheckedLog, dict[str, Any], datetime], None]


def contact_only(checked: CheckedLog, item: dict[str, Any], now: datetime) -> None:
    """Support, pledge, caucus intent, volunteering and answers come only from a contacted
    person."""
    values, errors = checked.values, checked.errors
    if "result" in errors or values["result"] == Result.CONTACTED:
        return
    for name in ("support_level", "pledge", "will_caucus", "wants_to_volunteer"):
        if values.get(name) not in (None, False) and name not in errors:
            errors[name] = [CONTACT_ONLY_MESSAGE]
    if item.get("answers"):
        # A shape error of the answers (or a turf without a script) says more; it wins.
        errors.setdefault("answers", [CONTACT_ONLY_MESSAGE])


def consent_needs_volunteering(checked: CheckedLog, item: dict[str, Any], now: datetime) -> None:
    values = checked.values
    if values.get("volunteer_consent") and not values.get("wants_to_volunteer"):
        checked.errors.setdefault("volunteer_consent", ["Only together with wants_to_volunteer."])


def not_in_the_future(checked: CheckedLog, item: dict[str, Any], now: datetime) -> None:
    moment = checked.values.get("contacted_at")
    if "contacted_at" in checked.errors or not isinstance(moment, datetime):
        return
    if moment > now and moment > now + timedelta(minutes=settings.SYNC_MAX_CLOCK_SKEW_MINUTES):
        checked.errors["contacted_at"] = ["In the future: check the phone's clock."]


def no_status_in_notes(checked: CheckedLog, item: dict[str, Any], now: datetime) -> None:
    """The log is kept; only the note is refused."""
    if "notes" not in checked.errors and mentions_immigration_status(checked.values["notes"]):
        checked.warnings["notes"] = [REPHRASE_MESSAGE]
        checked.values["notes"] = ""


LOG_RULES: tuple[Rule, ...] = (
    contact_only,
    consent_needs_volunteering,
    not_in_the_future,
    no_status_in_notes,
)


# --- The answers against the turf's script (the questions come from the database pass) --------

FREE_TEXT_ANSWER_MAX = 500


def _codes(question: Question) -> set[str]:
    return {choice["code"] for choice in question.choices}


def _single_choice(question: Question, value: Any) -> str | None:
    if isinstance(value, str) and value in _codes(question):
        return None
    return f"Expected one of: {', '.join(sorted(_codes(question)))}."


def _multiple_choice(question: Question, value: Any) -> str | None:
    codes = _codes(question)
    if (
        isinstance(value, list)
        and all(isinstance(v, str) and v in codes for v in value)
        and len(set(value)) == len(value)
    ):
        return None
    return f"Expected a list of distinct codes from: {', '.join(sorted(codes))}."


def _yes_no(question: Question, value: Any) -> str | None:
    return None if isinstance(value, bool) else "Expected true or false."


def _scale(question: Question, value: Any) -> str | None:
    low, high = question.scale_min or 1, question.scale_max or 5
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return f"Expected an integer from {low} to {high}."


def _free_text(question: Question, value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > FREE_TEXT_ANSWER_MAX:
        return f"Expected text of at most {FREE_TEXT_ANSWER_MAX} characters."
    return BAD_TEXT if contains_bad_text(value) else None


_STANCES = frozenset(PlankStance.values)


def _plank(question: Question, value: Any) -> str | None:
    if isinstance(value, str) and value in _STANCES:
        return None
    return f"Expected one of: {', '.join(sorted(_STANCES))}."


ANSWER_CHECKS: dict[str, Callable[[Question, Any], str | None]] = {
    QuestionKind.SINGLE_CHOICE: _single_choice,
    QuestionKind.MULTIPLE_CHOICE: _multiple_choice,
    QuestionKind.YES_NO: _yes_no,
    QuestionKind.SCALE: _scale,
    QuestionKind.PLANK: _plank,
}


def answers_check(checked: CheckedLog, questions: dict[str, Question] | None) -> dict[str, Any]:
    """The answers that fit `questions` (the active script's, None: the turf has none); each
    that does not is an error under `answers.<code>`. A free-text answer that names a status is
    refused like a note (a warning; the log is kept)."""
    answers = checked.values.get("answers")
    if not answers or ("answers" in checked.errors and not isinstance(answers, dict)):
        return {}
    if questions is None:
        checked.errors["answers"] = ["This turf has no active script to answer."]
        return {}
    clean: dict[str, Any] = {}
    for code, value in answers.items():
        question = questions.get(code)
        key = f"answers.{code}"
        if question is None:
            checked.errors[key] = ["Not a question of the active script."]
            continue
        problem = ANSWER_CHECKS.get(question.kind, _free_text)(question, value)
        if problem:
            checked.errors[key] = [problem]
        elif question.kind not in ANSWER_CHECKS and mentions_immigration_status(value):
            checked.warnings[key] = [REPHRASE_MESSAGE]
        else:
            clean[code] = value
    return clean
