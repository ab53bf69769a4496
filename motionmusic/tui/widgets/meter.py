"""One meter per mapped angle: the value, the client's calibrated range and the target zone.

Readable without colour: `─` is the calibrated range, `▒` the target zone and beyond, `█` the
value now, and the line above says it in numbers ("IN TARGET" in words).
"""

from __future__ import annotations

import math

from textual.widgets import Static

from motionmusic.core.profile import AngleSettings
from motionmusic.core.targets import TargetState


def scale_of(span: tuple[float, float], settings: AngleSettings) -> tuple[float, float]:
    """The meter's ends: the preset's input range widened to show range and target."""
    points = [*span]
    if settings.range is not None:
        points += [settings.range.rest, settings.range.reach]
    if settings.target is not None:
        points.append(settings.target)
    low, high = min(points), max(points)
    pad = (high - low) * 0.05 or 1.0
    return low - pad, high + pad


def bar(value: float, span: tuple[float, float], settings: AngleSettings, width: int) -> str:
    low, high = scale_of(span, settings)

    def col(x: float) -> int:
        return min(max(round((x - low) / (high - low) * (width - 1)), 0), width - 1)

    cells = ["·"] * width
    if settings.range is not None:
        a, b = sorted((col(settings.range.rest), col(settings.range.reach)))
        for i in range(a, b + 1):
            cells[i] = "─"
    if settings.target is not None:
        rest = settings.range.rest if settings.range else 0.0
        start = col(settings.target)
        zone = range(start, width) if settings.target >= rest else range(0, start + 1)
        for i in zone:
            cells[i] = "▒"
    if not math.isnan(value):
        cells[col(value)] = "█"
    return "".join(cells)


def label(name: str, value: float, unit: str, target: TargetState | None) -> str:
    now = "  —  " if math.isnan(value) else f"{value:5.0f}{unit}"
    text = f"{name.replace('_', ' ')} {now}"
    if target is not None:
        state = "IN TARGET" if target.in_target else f"target {target.target:.0f}{unit}"
        text += f"  {state} · reps {target.reps} · {target.seconds_in_target:.0f} s in target"
        text += " · STRETCH" if target.in_stretch else ""
    return text


class Meter(Static):
    DEFAULT_CSS = """
    Meter { height: auto; }
    """

    def show(
        self,
        name: str,
        value: float,
        span: tuple[float, float],
        settings: AngleSettings,
        target: TargetState | None,
        unit: str = "°",
    ) -> None:
        width = max(self.content_size.width, 10)
        self.update(f"{label(name, value, unit, target)}\n{bar(value, span, settings, width)}")
