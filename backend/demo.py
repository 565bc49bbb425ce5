"""A registry of demo-data loaders, one per app, run in order by `manage.py seed_demo`.

Each app registers its loader in its own `demo.py`; the command finds them with Django's
module autodiscovery, so the project package never imports the apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import OutputWrapper

# The Polk County cuts shipped with the repository (see demo_data/README.md), by the name of the
# statewide file in SHARED_DATA_DIR they were cut from.
BUNDLED_DATA_DIR = Path(__file__).resolve().parent / "demo_data"
BUNDLED_SUBSETS = {
    "iowa_precincts_2020_caucus.geojson": "polk_precincts_2020_caucus.geojson",
    "iowa_polling_places_2020.csv": "polk_polling_places_2020.csv",
}


@dataclass(frozen=True)
class DemoLoader:
    order: int
    name: str
    load: Callable[[OutputWrapper], None]


_loaders: dict[str, DemoLoader] = {}


def register(
    *, order: int, name: str
) -> Callable[[Callable[[OutputWrapper], None]], Callable[[OutputWrapper], None]]:
    """Register `load(stdout)` to run at `order` (lower first). Loaders must be idempotent."""

    def decorator(load: Callable[[OutputWrapper], None]) -> Callable[[OutputWrapper], None]:
        _loaders[name] = DemoLoader(order=order, name=name, load=load)
        return load

    return decorator


def loaders() -> list[DemoLoader]:
    return sorted(_loaders.values(), key=lambda loader: loader.order)


def demo_data_file(name: str) -> Path:
    """The statewide public file `name` from SHARED_DATA_DIR when it is there, else its Polk County
    cut shipped in backend/demo_data/, so a clone with nothing beside it still gets a demo."""
    statewide = Path(settings.SHARED_DATA_DIR) / name
    if statewide.is_file():
        return statewide
    return BUNDLED_DATA_DIR / BUNDLED_SUBSETS[name]
