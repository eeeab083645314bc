"""A world map as SVG paths, drawn on the server from Natural Earth country shapes shipped with the package.

The shapes are world-atlas' ``countries-110m.json`` (TopoJSON of Natural Earth's 1:110m admin-0 countries;
Natural Earth is public domain, world-atlas is ISC), kept in ``ictdb/web/geo``. They are projected
equirectangularly (longitude and latitude as x and y) and cropped to the inhabited latitudes. Each country
is keyed by its ISO 3166-1 alpha-2 code and has an anchor point for drawing travel arrows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import pycountry

SHAPES = "countries-110m.json"
SCALE = 2.5
NORTH, SOUTH = 84.0, -58.0
WIDTH = round(360 * SCALE)
HEIGHT = round((NORTH - SOUTH) * SCALE)

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    """ISO 3166-1 alpha-2, or the numeric id when there is none (a few disputed areas have neither)."""
    name: str
    path: str
    """The SVG path data of every polygon of the country, projected."""
    anchor: Point
    """Where arrows start and end: the centroid of the country's largest polygon."""


def project(lon: float, lat: float) -> Point:
    return ((lon + 180.0) * SCALE, (NORTH - lat) * SCALE)


def _decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """TopoJSON arcs are quantised and delta-encoded; turn them back into longitude/latitude points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[Point]], indices: list[int]) -> list[Point]:
    points: list[Point] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _area_centroid(ring: list[Point]) -> tuple[float, Point]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def _path(rings: list[list[Point]]) -> str:
    parts = []
    for ring in rings:
        projected = [project(lon, max(min(lat, NORTH), SOUTH)) for lon, lat in ring]
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in projected) + "Z")
    return "".join(parts)


def _alpha2(numeric: str | None) -> str | None:
    if not numeric:
        return None
    found = pycountry.countries.get(numeric=numeric.zfill(3))
    return str(found.alpha_2) if found else None


@cache
def countries() -> dict[str, Country]:
    """Every country of the map by code; read and projected once per process."""
    topology = json.loads(files("ictdb.web").joinpath("geo", SHAPES).read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    found: dict[str, Country] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        polygons = geometry["arcs"] if kind == "MultiPolygon" else [geometry["arcs"]] if kind == "Polygon" else []
        rings = [[_ring(arcs, ring) for ring in polygon] for polygon in polygons]
        if not rings:
            continue
        outer = max((_area_centroid(polygon[0]) for polygon in rings), key=lambda found: found[0])
        name = str(geometry.get("properties", {}).get("name", ""))
        code = _alpha2(geometry.get("id")) or geometry.get("id") or name
        found[code] = Country(code, name, _path([r for polygon in rings for r in polygon]), project(*outer[1]))
    return found


@dataclass(frozen=True, slots=True)
class Arrow:
    origin: str
    destination: str
    start: Point
    end: Point
    control: Point
    """The control point of a quadratic curve, so that a trip there and back draws two arcs, not one line."""
    label: str


def arrow(origin: str, destination: str, label: str) -> Arrow | None:
    """A curved arrow between two countries' anchors; None when either is unknown or they are the same."""
    shapes = countries()
    if origin not in shapes or destination not in shapes or origin == destination:
        return None
    (x0, y0), (x1, y1) = shapes[origin].anchor, shapes[destination].anchor
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    # bend to the left of the direction of travel by a fifth of the distance
    cx, cy = mx - (y1 - y0) * 0.2, my + (x1 - x0) * 0.2
    return Arrow(origin, destination, (x0, y0), (x1, y1), (cx, cy), label)
