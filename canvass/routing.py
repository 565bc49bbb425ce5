"""Walk order and automatic turf cutting: pure functions over (lat, lon) points.

Distances are great-circle (haversine) metres, vectorized with numpy; equal within a few
millimetres to `backend.geo.services.distance_m`, which loops through geopy one pair at a time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

EARTH_RADIUS_M = 6_371_009.0  # geopy's great_circle radius
Point = tuple[float, float]


def distance_matrix(points: Sequence[Point]) -> np.ndarray:
    coords = np.radians(np.asarray(points, dtype=float).reshape(-1, 2))
    lat = coords[:, 0][:, None]
    lon = coords[:, 1][:, None]
    dlat = lat - lat.T
    dlon = lon - lon.T
    a = np.sin(dlat / 2) ** 2 + np.cos(lat) * np.cos(lat.T) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def route_length(points: Sequence[Point], order: Sequence[int] | None = None) -> float:
    """Length in metres of walking the points in `order` (default: as given), not returning."""
    if order is None:
        order = range(len(points))
    sequence = [points[i] for i in order]
    if len(sequence) < 2:
        return 0.0
    coords = np.radians(np.asarray(sequence, dtype=float))
    lat1, lon1 = coords[:-1, 0], coords[:-1, 1]
    lat2, lon2 = coords[1:, 0], coords[1:, 1]
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(np.sum(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))))


def _nearest_neighbour(dist: np.ndarray, start: int) -> list[int]:
    n = dist.shape[0]
    visited = np.zeros(n, dtype=bool)
    order = [start]
    visited[start] = True
    current = start
    for _ in range(n - 1):
        row = np.where(visited, np.inf, dist[current])
        current = int(np.argmin(row))
        visited[current] = True
        order.append(current)
    return order


def _two_opt(order: list[int], dist: np.ndarray, max_rounds: int = 50) -> list[int]:
    """Open-path 2-opt: reverse order[i..j] when it shortens the walk; the start stays fixed."""
    route = np.asarray(order)
    n = len(route)
    if n < 4:
        return order
    for _ in range(max_rounds):
        improved = False
        for i in range(1, n - 1):
            a, b = route[i - 1], route[i]
            # Candidate edges (route[j], route[j+1]) for all j > i, plus the open end (j = n-1).
            js = np.arange(i + 1, n)
            c = route[js]
            d_next = np.append(route[js[:-1] + 1], -1)
            removed = dist[a, b] + np.where(d_next >= 0, dist[c, np.maximum(d_next, 0)], 0.0)
            added = dist[a, c] + np.where(d_next >= 0, dist[b, np.maximum(d_next, 0)], 0.0)
            gain = removed - added
            best = int(np.argmax(gain))
            if gain[best] > 1e-6:
                j = int(js[best])
                route[i : j + 1] = route[i : j + 1][::-1]
                improved = True
        if not improved:
            break
    return [int(x) for x in route]


def walk_order(points: Sequence[Point], start: int = 0) -> list[int]:
    """Indices of `points` in walking order: nearest neighbour from `start`, improved by 2-opt.

    Never longer than the given order: if the heuristic loses (tiny inputs), the given order wins.
    """
    n = len(points)
    if n < 3:
        return list(range(n))
    dist = distance_matrix(points)
    best = list(range(n))
    best_length = route_length(points, best)
    for first in {start, 0}:
        candidate = _two_opt(_nearest_neighbour(dist, first), dist)
        length = route_length(points, candidate)
        if length < best_length - 1e-6:
            best, best_length = candidate, length
    return best


def _metres_xy(points: Sequence[Point]) -> np.ndarray:
    """Local equirectangular projection in metres: fine for splitting a county-sized area."""
    coords = np.asarray(points, dtype=float).reshape(-1, 2)
    mean_lat = math.radians(float(coords[:, 0].mean())) if len(coords) else 0.0
    y = np.radians(coords[:, 0]) * EARTH_RADIUS_M
    x = np.radians(coords[:, 1]) * EARTH_RADIUS_M * math.cos(mean_lat)
    return np.column_stack([x, y])


def piece_count(total: int, min_size: int, max_size: int) -> int:
    """How many turfs: aim for the middle of the range, then make sure no turf exceeds
    max_size and, where the total allows it, none falls below min_size."""
    if total <= 0:
        return 0
    pieces = max(1, round(total / ((min_size + max_size) / 2)))
    while math.ceil(total / pieces) > max_size:
        pieces += 1
    while pieces > 1 and total // pieces < min_size and math.ceil(total / (pieces - 1)) <= max_size:
        pieces -= 1
    return pieces


def cut_into_pieces(points: Sequence[Point], *, min_size: int, max_size: int) -> list[list[int]]:
    """Split points into compact groups of min_size..max_size by recursive bisection (k-d cut).

    Each split is a straight cut across the longer side of the group's bounding box, placed so
    the two halves get sizes proportional to the number of turfs each will hold; so every group
    is a convex-ish block, every point lands in exactly one group, and sizes differ by at most
    one. Sizes can fall below min_size only when there are fewer than min_size points in total.
    """
    total = len(points)
    pieces_wanted = piece_count(total, min_size, max_size)
    if pieces_wanted == 0:
        return []
    xy = _metres_xy(points)
    result: list[list[int]] = []

    def split(indices: np.ndarray, pieces: int) -> None:
        if pieces == 1:
            result.append([int(i) for i in indices])
            return
        left_pieces = pieces // 2
        sub = xy[indices]
        span = sub.max(axis=0) - sub.min(axis=0)
        axis = 0 if span[0] >= span[1] else 1
        ordered = indices[np.argsort(sub[:, axis], kind="stable")]
        cut = round(len(indices) * left_pieces / pieces)
        split(ordered[:cut], left_pieces)
        split(ordered[cut:], pieces - left_pieces)

    split(np.arange(total), pieces_wanted)
    return result
