"""Placing a small network on a page: a force-directed layout computed on the server, deterministic for a graph.

Linked nodes pull together like springs, all nodes push apart like charges (Fruchterman and Reingold's
scheme), with a cooling step so it settles; the centre of the view stays in the middle. The same graph
always gets the same picture, so a page reloads without things jumping around.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float]


def force_layout(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    *,
    center: str | None = None,
    width: float = 900,
    height: float = 600,
    iterations: int = 250,
) -> dict[str, Point]:
    """Positions inside ``width`` x ``height`` (with a margin) for every node."""
    if not nodes:
        return {}
    order = sorted(nodes)
    k = math.sqrt(width * height / len(order)) * 0.6
    # start on a circle in id order (deterministic), the centre node in the middle
    pos: dict[str, list[float]] = {}
    ring = [n for n in order if n != center]
    for i, n in enumerate(ring):
        angle = 2 * math.pi * i / max(len(ring), 1)
        pos[n] = [math.cos(angle) * width / 3, math.sin(angle) * height / 3]
    if center is not None and center in nodes:
        pos[center] = [0.0, 0.0]
    pairs = [(a, b) for a, b in edges if a in pos and b in pos and a != b]
    temperature = width / 8
    for _ in range(iterations):
        shift = {n: [0.0, 0.0] for n in pos}
        for i, a in enumerate(order):
            ax, ay = pos[a]
            for b in order[i + 1 :]:
                dx, dy = ax - pos[b][0], ay - pos[b][1]
                dist = math.hypot(dx, dy) or 0.01
                push = k * k / dist
                shift[a][0] += dx / dist * push
                shift[a][1] += dy / dist * push
                shift[b][0] -= dx / dist * push
                shift[b][1] -= dy / dist * push
        for a, b in pairs:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            dist = math.hypot(dx, dy) or 0.01
            pull = dist * dist / k
            shift[a][0] -= dx / dist * pull
            shift[a][1] -= dy / dist * pull
            shift[b][0] += dx / dist * pull
            shift[b][1] += dy / dist * pull
        for n, (sx, sy) in shift.items():
            if n == center:
                continue
            length = math.hypot(sx, sy) or 0.01
            step = min(length, temperature)
            pos[n][0] += sx / length * step
            pos[n][1] += sy / length * step
        temperature = max(temperature * 0.97, 1.0)
    return _fit(pos, width, height)


def _fit(pos: dict[str, list[float]], width: float, height: float, margin: float = 70) -> dict[str, Point]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {n: (width / 2 + (x - mid_x) * scale, height / 2 + (y - mid_y) * scale) for n, (x, y) in pos.items()}
