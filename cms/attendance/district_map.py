"""The maps of the dashboards: each district's GeoJSON boundary (lon/lat) projected to SVG path data on the
server, so the page needs no map tiles, no script and no external service. The city's map has the 10
districts; a district's page has its own district alone, fitted to the same width (``district_outline``):
the boundaries of other districts are outside a district office's scope, and so are their figures.

The projection is equirectangular with the longitude scaled by cos(mean latitude) (true enough for one city),
fitted to a fixed-width viewBox; coordinates are rounded to whole units of the viewBox and each ring is
simplified (Douglas–Peucker) to keep the page light. Boundaries rarely change, so the paths are cached per
process: a saved or deleted district clears the cache, and it expires after ``CACHE_SECONDS`` anyway (an
import in another process is picked up then).
"""

import math
import time
from dataclasses import dataclass
from threading import Lock

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cms.org.models import District, DistrictBoundary
from cms.org.scope import visible

WIDTH = 600
PADDING = 4
TOLERANCE = 0.6  # viewBox units a simplified ring may stray from the boundary
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Shape:
    district_id: int
    path: str


@dataclass(frozen=True)
class Outline:
    """The projected districts and the viewBox they fill."""

    width: int
    height: int
    shapes: dict[int, Shape]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


_cache: dict[str, tuple[float, Outline]] = {}
_lock = Lock()


def _polygons(geometry) -> list:
    """The polygons (lists of rings of [lon, lat]) of a Polygon or MultiPolygon; nothing for anything else."""
    if not isinstance(geometry, dict):
        return []
    if geometry.get("type") == "Polygon":
        return [geometry.get("coordinates") or []]
    if geometry.get("type") == "MultiPolygon":
        return geometry.get("coordinates") or []
    return []


def _distance(point, start, end) -> float:
    """From ``point`` to the line through ``start`` and ``end`` (to ``start`` when they coincide)."""
    (px, py), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    if not length:
        return math.hypot(px - x1, py - y1)
    return abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, iterative (rings of a few thousand points would be deep for recursion)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, None
        for i in range(first + 1, last):
            distance = _distance(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _ring_path(ring: list[tuple[float, float]]) -> str:
    rounded = []
    for x, y in _simplify(ring, TOLERANCE):
        point = (round(x), round(y))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    if len(rounded) < 3:
        return ""
    return "M" + " ".join(f"{x} {y}" for x, y in rounded) + "Z"


def project(boundaries: dict[int, dict]) -> Outline:
    """Project ``{district id: GeoJSON geometry}`` into one viewBox ``WIDTH`` wide."""
    rings = {
        district_id: [ring for polygon in _polygons(geometry) for ring in polygon if len(ring) >= 3]
        for district_id, geometry in boundaries.items()
    }
    points = [(lon, lat) for district_rings in rings.values() for ring in district_rings for lon, lat, *_ in ring]
    if not points:
        return Outline(WIDTH, WIDTH // 2, {})
    min_lon, max_lon = min(p[0] for p in points), max(p[0] for p in points)
    min_lat, max_lat = min(p[1] for p in points), max(p[1] for p in points)
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = (max_lon - min_lon) * x_scale or 1e-9
    span_y = (max_lat - min_lat) or 1e-9
    scale = (WIDTH - 2 * PADDING) / span_x
    height = math.ceil(span_y * scale + 2 * PADDING)

    def to_view(lon: float, lat: float) -> tuple[float, float]:
        return PADDING + (lon - min_lon) * x_scale * scale, PADDING + (max_lat - lat) * scale

    shapes = {}
    for district_id, district_rings in rings.items():
        path = "".join(_ring_path([to_view(lon, lat) for lon, lat, *_ in ring]) for ring in district_rings)
        if path:
            shapes[district_id] = Shape(district_id, path)
    return Outline(WIDTH, height, shapes)


def _cached(key: str, boundaries) -> Outline:
    """The outline of ``key``, projected from ``boundaries()`` ({district id: geometry}) when the cache is
    cold or expired."""
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    with _lock:
        outline = project(boundaries())
        _cache[key] = (now, outline)
    return outline


def city_outline() -> Outline:
    """The projected districts of the city, cached per process (one query when the cache is cold)."""
    return _cached("city", lambda: dict(DistrictBoundary.objects.values_list("district_id", "geometry")))


def district_outline(user, district: District) -> Outline:
    """``district`` alone, projected to fill the map's width; cached per process (one query, through the
    scope module, when the cache is cold). ``district`` is one the caller got from the scope module."""
    return _cached(
        f"district:{district.pk}",
        lambda: dict(
            visible(user, District)
            .filter(pk=district.pk, boundary__isnull=False)
            .order_by()
            .values_list("pk", "boundary__geometry")
        ),
    )


def clear_cache() -> None:
    _cache.clear()


@receiver(post_save, sender=District)
@receiver(post_delete, sender=District)
@receiver(post_save, sender=DistrictBoundary)
@receiver(post_delete, sender=DistrictBoundary)
def _district_changed(**kwargs) -> None:
    clear_cache()


@dataclass(frozen=True)
class MapArea:
    district: District
    path: str
    metrics: dict
    url: str = ""  # the district's page, where the map is not on it already


def map_areas(rows) -> tuple[Outline, list[MapArea]]:
    """The city map of the dashboard's by-district rows (those of a real district with a boundary)."""
    outline = city_outline()
    areas = [
        MapArea(row.district, outline.shapes[row.district.pk].path, row.metrics, row.url)
        for row in rows
        if row.district is not None and row.district.pk in outline.shapes
    ]
    return outline, areas


def district_area(user, district: District, metrics: dict) -> tuple[Outline, list[MapArea]]:
    """The map of a district's page: its own area with the district's ``metrics`` (none without a boundary)."""
    outline = district_outline(user, district)
    shape = outline.shapes.get(district.pk)
    return outline, [MapArea(district, shape.path, metrics)] if shape else []
