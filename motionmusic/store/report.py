"""The progress report: one self-contained HTML page, its plots as PNGs, and a CSV.

Per angle, peak ROM per session over time against the target and the calibrated range; per
session, time in target and repetitions. Every ROM figure is labelled a camera estimate, and
sessions tracked poorly are drawn differently and flagged, so nobody reads a bad day's number as
a fact. The page names the client by pseudonym only (the profile's free notes are left out) and,
like everything of a client's, is written owner-only.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed, none opened
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from motionmusic.core.features import FEATURES, SPECS
from motionmusic.core.features import UNITS as FEATURE_UNITS
from motionmusic.core.profile import Profile
from motionmusic.core.summary import SessionSummary
from motionmusic.store.clients import DIR_MODE, write_private

CAVEAT = (
    "All ROM figures are camera estimates from 2-D/3-D pose tracking: typical agreement with a "
    "goniometer is within about 10°. Compare sessions with each other, not with clinic notes."
)
MODELS = (
    "Sessions tracked with different pose models are not directly comparable: the lite model's "
    "angles differ from the full model's by 2 to 10° (median), up to 50° with the client side-on."
)
POINT, LOW = "#1f77b4", "#ff7f0e"  # session markers: tracked well / low confidence
UNITS = {spec.name: FEATURE_UNITS[spec.unit].words for spec in FEATURES}
COLUMNS = {
    "session": "session log file name",
    "started": "start time (UTC, ISO 8601)",
    "preset": "preset played",
    "model": "pose model that tracked the session (name and start of its sha256)",
    "duration_s": "session length, seconds",
    "coverage": "fraction of frames with the client tracked",
    "low_confidence": "1 if tracked in < 70% of frames (or the angle in < 70%)",
    "angle": "measured angle",
    "unit": "deg, or shoulder widths for wrist height",
    "peak": "furthest value held for 5 frames",
    "p95": "95th percentile (in the direction of the movement)",
    "median": "median over confidently tracked frames",
    "target": "ROM target at the time (empty: none)",
    "rest": "calibrated rest at the time",
    "reach": "calibrated comfortable reach at the time",
    "time_in_target_s": "seconds at or beyond the target",
    "reps": "excursions from rest that reached the target",
    "notes_played": "notes struck or changed to in the session",
    "artefact_frames": "fraction of measured frames beyond the joint's physiological range, left "
    "out of peak, p95 and median (measurement artefacts)",
    "artefact_peak": "the furthest such value (not range of motion; empty: none)",
    "glitch_frames": "frames whose skeleton jumped further than a body moves, left out",
    "not_client_frames": "frames with someone else in view instead of the client (not logged)",
}


def _x(summary: SessionSummary) -> float:
    return float(mdates.date2num(_when(summary)))  # type: ignore[no-untyped-call]


def _when(summary: SessionSummary) -> datetime:
    return datetime.fromisoformat(summary.started) if summary.started else datetime.min


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def rom_plot(feature: str, summaries: Sequence[SessionSummary], profile: Profile) -> bytes:
    """Peak per session over time; target dashed; calibrated range shaded; low-confidence marked."""
    figure, axes = plt.subplots(figsize=(8, 4), layout="constrained")
    points = [
        (_x(s), a, s.low_confidence) for s in summaries for a in s.angles if a.feature == feature
    ]
    axes.plot([p[0] for p in points], [p[1].peak for p in points], color="#bbbbbb", zorder=1)
    for when, outcome, low in points:
        marker, colour = ("X", LOW) if low else ("o", POINT)
        axes.plot(
            [when],
            [outcome.peak],
            marker=marker,
            color=colour,
            markersize=8,
            linestyle="none",
            zorder=3,
        )
    settings = profile.setting(feature)
    if settings.range is not None:
        bottom, top = sorted((settings.range.rest, settings.range.reach))
        axes.axhspan(bottom, top, color="#2ca02c", alpha=0.12, label="calibrated range (now)")
    if settings.target is not None:
        axes.axhline(settings.target, color="#d62728", linestyle="--", label="target (now)")
    axes.set_title(f"{feature.replace('_', ' ')}: peak per session (camera estimate, ±10°)")
    axes.set_ylabel(f"peak ({UNITS[feature]})")
    axes.plot([], [], "o", color=POINT, label="session")
    axes.plot([], [], "X", color=LOW, label="low-confidence session")
    axes.legend(loc="best", fontsize="small")
    axes.xaxis_date()
    figure.autofmt_xdate()
    return _png(figure)


def practice_plot(summaries: Sequence[SessionSummary]) -> bytes:
    """Time in target (bars) and reps (labels) per session, summed over targeted angles."""
    figure, axes = plt.subplots(figsize=(8, 4), layout="constrained")
    labels = [_when(s).strftime("%Y-%m-%d\n%H:%M") for s in summaries]
    seconds = [sum(a.seconds_in_target for a in s.angles) for s in summaries]
    reps = [sum(a.reps for a in s.angles) for s in summaries]
    colours = [LOW if s.low_confidence else POINT for s in summaries]
    bars = axes.bar(range(len(summaries)), seconds, color=colours)
    axes.bar_label(bars, labels=[f"{r} reps" for r in reps], fontsize="small")
    axes.set_xticks(range(len(summaries)), labels, fontsize="x-small")
    axes.set_ylabel("time in target (s)")
    axes.set_title("practice per session: time in target, repetitions")
    return _png(figure)


def _rows(summaries: Sequence[SessionSummary]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for s in summaries:
        for a in s.angles:
            unit = SPECS[a.feature].unit if a.feature in SPECS else "deg"
            unit = {"deg": "deg", "sw": "shoulder_widths"}.get(unit, unit)
            values = {
                "peak": a.peak,
                "p95": a.p95,
                "median": a.median,
                "target": a.target,
                "rest": a.rest,
                "reach": a.reach,
            }
            rows.append(
                {
                    "session": s.source,
                    "started": s.started,
                    "preset": s.preset or "",
                    "model": s.model or "",
                    "duration_s": f"{s.seconds:.1f}",
                    "coverage": f"{s.coverage:.3f}",
                    "low_confidence": int(s.low_confidence or a.measured < 0.7),
                    "angle": a.feature,
                    "unit": unit,
                    **{k: "" if v is None else f"{v:.1f}" for k, v in values.items()},
                    "time_in_target_s": f"{a.seconds_in_target:.1f}",
                    "reps": a.reps,
                    "notes_played": s.notes,
                    "artefact_frames": f"{a.artefacts:.3f}",
                    "artefact_peak": "" if a.artefact_peak is None else f"{a.artefact_peak:.1f}",
                    "glitch_frames": s.glitches,
                    "not_client_frames": s.others,
                }
            )
    return rows


def _table(rows: list[dict[str, object]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join(
        "<tr"
        + (' class="low"' if row["low_confidence"] else "")
        + ">"
        + "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in COLUMNS)
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def write_report(profile: Profile, summaries: Sequence[SessionSummary], out: Path) -> Path:
    """Write report.html, one PNG per angle plus practice.png, and sessions.csv into `out`."""
    out.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    ordered = sorted(summaries, key=_when)
    features = list(dict.fromkeys(a.feature for s in ordered for a in s.angles))
    images: list[tuple[str, bytes]] = [
        (f"rom-{feature}.png", rom_plot(feature, ordered, profile)) for feature in features
    ]
    images.append(("practice.png", practice_plot(ordered)))
    for name, data in images:
        write_private(out / name, data)
    rows = _rows(ordered)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_private(out / "sessions.csv", text.getvalue().encode())
    page = _page(profile.client, ordered, images, rows)
    write_private(out / "report.html", page.encode())
    return out / "report.html"


def _artefacts(summaries: Sequence[SessionSummary]) -> str:
    """A paragraph naming every value left out as a measurement artefact, and every glitch."""
    lines = [
        f"{s.source}: {a.feature} reached {a.artefact_peak:.0f} in {a.artefacts:.1%} of frames, "
        "beyond what the joint can do: a measurement artefact, not range of motion"
        for s in summaries
        for a in s.angles
        if a.artefact_peak is not None
    ]
    lines += [
        f"{s.source}: {s.glitches} frame(s) where the skeleton jumped (tracking glitches)"
        for s in summaries
        if s.glitches
    ]
    lines += [
        f"{s.source}: {s.damaged} damaged record(s), unreadable, skipped"
        for s in summaries
        if s.damaged
    ]
    lines += [
        f"{s.source}: {s.others} frame(s) with someone else in view instead of the client "
        "(nothing of them was logged)"
        for s in summaries
        if s.others
    ]
    if not lines:
        return ""
    items = "".join(f"<li>{html.escape(x)}</li>" for x in lines)
    return f'<div class="caveat"><p>Left out of every figure below:</p><ul>{items}</ul></div>'


def _gestures(summaries: Sequence[SessionSummary]) -> str:
    """A table of each session's gestures: how often each switched, for how long it was held,
    and how often the feature crossed its threshold at all (deliberately or not)."""
    rows = [
        (s.source, g.name, g.feature, g.presses, f"{g.seconds_held:.1f}", g.crossings)
        for s in summaries
        for g in s.gestures
    ]
    if not rows:
        return ""
    head = ("session", "gesture", "feature", "switched", "held (s)", "crossings")
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in row) + "</tr>" for row in rows
    )
    titles = "".join(f"<th>{h}</th>" for h in head)
    return f"<h2>Gestures</h2><table><tr>{titles}</tr>{cells}</table>"


def _page(
    client: str,
    summaries: Sequence[SessionSummary],
    images: list[tuple[str, bytes]],
    rows: list[dict[str, object]],
) -> str:
    low = sum(s.low_confidence for s in summaries)
    models = sorted({s.model.split()[0] for s in summaries if s.model})
    differ = len(models) > 1 or "lite" in models
    mixed = f'<p class="caveat">{html.escape(MODELS)}</p>' if differ else ""
    used = ", ".join(models) or "not recorded"
    odd = _artefacts(summaries)
    figures = "".join(
        f'<figure><img alt="{html.escape(name)}" '
        f'src="data:image/png;base64,{base64.b64encode(data).decode()}"></figure>'
        for name, data in images
    )
    columns = "".join(f"<li><code>{c}</code>: {html.escape(d)}</li>" for c, d in COLUMNS.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>motionmusic progress: {html.escape(client)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
table{{border-collapse:collapse;font-size:small}}td,th{{border:1px solid #ccc;padding:2px 6px}}
tr.low{{background:#fff3e0}}.caveat{{background:#eef;padding:.5em}}img{{max-width:100%}}</style>
</head><body>
<h1>Progress: client {html.escape(client)}</h1>
<p>{len(summaries)} session(s), {low} with low tracking confidence (orange ✕ in the plots,
shaded rows in the table). Generated {datetime.now().strftime("%Y-%m-%d %H:%M")}.</p>
<p class="caveat">{html.escape(CAVEAT)}</p>
<p>Pose model: {html.escape(used)}.</p>{mixed}{odd}
{figures}
<h2>Sessions</h2>
{_table(rows)}
{_gestures(summaries)}
<h2>CSV columns (sessions.csv)</h2><ul>{columns}</ul>
</body></html>
"""
