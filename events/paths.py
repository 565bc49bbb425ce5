"""Where the shared, read-only public data lives: `../shared/data` beside the repository."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def shared_data_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data"


def iowa_polling_places_csv() -> Path:
    return shared_data_dir() / "iowa_polling_places_2020.csv"
