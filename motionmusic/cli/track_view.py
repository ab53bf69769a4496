"""Rich renderings for `motionmusic track`: the live angle table and the closing summary (the
body's features: `track` runs the pose model)."""

from __future__ import annotations

import math

from rich.table import Table

from motionmusic.core.features import BODY, UNITS, FeatureSpec
from motionmusic.core.protocols import SourceInfo
from motionmusic.core.ranges import Summary
from motionmusic.runtime.state import EngineState

NAME_WIDTH = max(len(spec.name) for spec in BODY)


def _fmt(value: float, spec: FeatureSpec) -> str:
    if math.isnan(value):
        return "—"
    symbol = UNITS[spec.unit].symbol
    return f"{value:.1f}{symbol}" if spec.unit == "deg" else f"{value:+.2f}{symbol}"


def live_table(state: EngineState, info: SourceInfo) -> Table:
    """The current frame's angles; '—' marks an angle not measured (low confidence)."""
    assert state.raw is not None and state.angles is not None  # a frame was measured
    found = "pose found" if state.pose_found else "NO PERSON"
    table = Table(
        min_width=64,
        title=f"{info.kind} {info.name} · frame {state.frame} · {state.fps:4.1f} fps · {found}",
    )
    table.add_column("angle", min_width=NAME_WIDTH, no_wrap=True)
    table.add_column("value", justify="right")
    table.add_column("confidence", justify="right")
    for i, spec in enumerate(BODY):
        table.add_row(
            spec.name, _fmt(state.angles.values[i], spec), f"{state.raw.confidence[i]:.2f}"
        )
    return table


def summary_table(summary: Summary) -> Table:
    title = (
        f"{summary.frames} frames · pose in {summary.coverage:.0%} · {summary.fps:.1f} fps · "
        f"{summary.seconds:.1f} s"
    )
    table = Table(title=title)
    table.add_column("angle", min_width=NAME_WIDTH, no_wrap=True)
    for column in ("measured", "p5", "p95", "min", "max"):
        table.add_column(column, justify="right")
    for spec, r in zip(BODY, summary.ranges, strict=False):
        values = (_fmt(v, spec) for v in (r.low, r.high, r.minimum, r.maximum))
        table.add_row(r.name, f"{r.measured:.0%}", *values)
    return table
