"""A registry of demo-data loaders, one per app, run in order by `manage.py seed_demo`.

Each app registers its loader in its own `demo.py`; the command finds them with Django's
module autodiscovery, so the project package never imports the apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import OutputWrapper


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
