"""Server-rendered SVG line charts of the attendance trends (no script, no chart library).

``line_chart`` computes the geometry; ``templates/attendance/_line_chart.html`` draws it. Each chart is an
image with a title and a description, and the page shows the same numbers in a table beside it.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from .metrics import format_share

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
MAX_X_LABELS = 12


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Decimal | None]
    css_class: str  # "series-current", "series-earlier": colour and dash come from the style sheet


def coordinate(value: float) -> str:
    """A coordinate as SVG wants it whatever the locale: "97.1", "192"."""
    return f"{round(value, 1):g}"


@dataclass(frozen=True)
class Dot:
    x: str
    y: str
    title: str


@dataclass(frozen=True)
class DrawnSeries:
    name: str
    css_class: str
    path: str
    dots: list[Dot]


@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    width: int
    height: int
    series: list[DrawnSeries]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def empty(self) -> bool:
        return not any(s.dots for s in self.series)


def _y_range(values: list[Decimal]) -> tuple[int, int]:
    """A range of whole steps of 5 around the values (0–100 at most)."""
    if not values:
        return 0, 100
    low = max(0, math.floor(float(min(values)) / 5) * 5)
    high = min(100, math.ceil(float(max(values)) / 5) * 5)
    if high - low < 5:
        low, high = (max(0, high - 5), high) if high >= 5 else (0, 5)
    return low, high


def line_chart(title: str, description: str, labels: list[str], series: list[Series]) -> Chart:
    values = [v for s in series for v in s.values if v is not None]
    low, high = _y_range(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x_of(index: int) -> float:
        return LEFT + index * step

    def y_of(value: Decimal) -> float:
        return TOP + plot_h - (float(value) - low) / (high - low) * plot_h

    drawn = []
    for s in series:
        path, pen_down, dots = [], False, []
        for index, value in enumerate(s.values):
            if value is None:
                pen_down = False
                continue
            x, y = x_of(index), y_of(value)
            path.append(f"{'L' if pen_down else 'M'}{coordinate(x)} {coordinate(y)}")
            pen_down = True
            dots.append(Dot(coordinate(x), coordinate(y), f"{labels[index]}: {format_share(value)}"))
        drawn.append(DrawnSeries(s.name, s.css_class, "".join(path), dots))
    tick_step = 5 if high - low <= 25 else 10 if high - low <= 50 else 20
    y_ticks = [Tick(coordinate(y_of(Decimal(v))), f"{v}%") for v in range(low, high + 1, tick_step)]
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    shown = [i for i in range(len(labels)) if i % every == 0 or i == len(labels) - 1]
    x_ticks = [Tick(coordinate(x_of(i)), labels[i]) for i in shown]
    return Chart(title, description, WIDTH, HEIGHT, drawn, y_ticks, x_ticks)
