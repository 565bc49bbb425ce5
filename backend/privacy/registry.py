"""Where apps declare how to erase a person and how to purge data past retention.

An app's `privacy.py` registers functions; the privacy services run them all, in one
transaction, and record the outcome in the audit trail. The project package never imports apps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Counts = dict[str, int]
Eraser = Callable[..., Counts]
Purger = Callable[[datetime], Counts]

# The kinds of people that can be erased on request; every one must have erasers registered.
PERSON_KINDS = ("voter", "volunteer", "endorser")

_erasers: dict[str, list[Eraser]] = {}
_purgers: dict[str, Purger] = {}


def register_eraser(kind: str) -> Callable[[Eraser], Eraser]:
    """Register `erase(subject_id: int, *, actor) -> counts` for a kind of person ("voter", "volunteer")."""

    def decorator(function: Eraser) -> Eraser:
        _erasers.setdefault(kind, [])
        if function not in _erasers[kind]:
            _erasers[kind].append(function)
        return function

    return decorator


def register_purger(name: str) -> Callable[[Purger], Purger]:
    """Register `purge(cutoff: datetime) -> counts` that clears personal data older than cutoff."""

    def decorator(function: Purger) -> Purger:
        _purgers[name] = function
        return function

    return decorator


def erasers(kind: str) -> list[Eraser]:
    return list(_erasers.get(kind, []))


def erasable_kinds() -> list[str]:
    return sorted(_erasers)


def purgers() -> dict[str, Purger]:
    return dict(_purgers)


_personal_fields: dict[str, tuple[str, ...]] = {}


def register_personal_fields(model_label: str, *fields: str) -> None:
    """Declare columns that hold personal data ("canvass.voter", "first_name", "phone", ...).

    Used to check that no such value ever reaches a log line (see tests/conftest.py), and as a
    map of where personal data lives.
    """
    _personal_fields[model_label] = tuple(
        sorted(set(_personal_fields.get(model_label, ())) | set(fields))
    )


def personal_fields() -> dict[str, tuple[str, ...]]:
    return dict(_personal_fields)
