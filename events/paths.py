"""Where the real Iowa polling-place file lives (settings.SHARED_DATA_DIR)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def iowa_polling_places_csv() -> Path:
    return Path(settings.SHARED_DATA_DIR) / "iowa_polling_places_2020.csv"
