"""What a listener would hear move in a room where nobody moves, and whether who is who held.

A preset played on a still room (`sightings.replay`) is heard voice by voice from a second after
it first sounds (the rest hold averages it): a scale voice must not change note, a glide voice must not
wobble more than 5 cents RMS. A voice the engine said was tracked too poorly to play (*unsteady*)
must be held or silent, and never flip. Who is who: the client must be the client on every frame
from the first they are found, and each player of a group must stay the person they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motionmusic.core.angles import measure_body
from motionmusic.core.client import Seen
from motionmusic.core.controls import Controls
from motionmusic.core.features import FEATURE_NAMES
from motionmusic.core.people import signature
from motionmusic.core.presets import Preset
from motionmusic.core.protocols import Sample
from motionmusic.core.scales import note_to_midi, scale_notes
from tests.sightings import Sightings, replay

SETTLED_S = 1.0
WOBBLE_CENTS = 5.0


class Pitches:
    """Sink: each voice's MIDI pitch per frame from a second after the first sound on (NaN when
    not sounding), and whether the tracking was said to be unsteady then. The first second of a
    body in view is the rest hold's to learn (it averages it: a client found late, as the pose
    model closes in on them, is heard settling)."""

    def __init__(self) -> None:
        self.rows: list[list[float]] = []
        self.unsteady: list[bool] = []
        self._t0: int | None = None

    def record(self, sample: Sample, controls: Controls | None) -> None:
        if controls is None:
            return
        if self._t0 is None and any(v.present for v in controls.voices):
            self._t0 = sample.frame.t_ns
        if self._t0 is not None and sample.frame.t_ns - self._t0 >= SETTLED_S * 1e9:
            self.rows.append([v.midi if v.present else np.nan for v in controls.voices])
            self.unsteady.append(bool(sample.unsteady))


@dataclass(frozen=True)
class Heard:
    """One preset on one still room: the worst voice's wobble and note changes."""

    wobble: float  # cents RMS of the glide voices (0 when none sounded)
    changes: int  # note changes of the scale voices
    unsteady: bool  # the engine said the tracking was unsteady at some frame
    sounded: bool

    @property
    def still(self) -> bool:
        return self.wobble <= WOBBLE_CENTS and self.changes == 0

    def cell(self) -> str:
        """For the table: `0.0 / 0`, `—` when silent, `!` when not still, `~` when unsteady."""
        if not self.sounded:
            return "—"
        mark = "" if self.still else " !"
        return f"{self.wobble:.1f} / {self.changes}{' ~' if self.unsteady else ''}{mark}"


def hear(preset: Preset, sightings: Sightings) -> Heard:
    sink = Pitches()
    replay(sightings, preset, [sink])
    played = np.array(sink.rows).reshape(-1, len(preset.voices))
    wobble, changes = 0.0, 0
    for i, voice in enumerate(preset.voices):
        midi = played[:, i][~np.isnan(played[:, i])]
        if voice.pitch is None or midi.size < 2:
            continue
        if voice.pitch.mode == "scale":
            changes += int(np.count_nonzero(np.diff(midi)))
        else:
            rms = float(np.sqrt(np.mean((100 * (midi - np.median(midi))) ** 2)))
            wobble = max(wobble, rms)
    sounded = bool(np.isfinite(played).any())
    return Heard(wobble, changes, any(sink.unsteady), sounded)


def on_the_boundary(preset: Preset, sightings: Sightings) -> Preset:
    """Each scale voice's range moved so the still body's median angle sits on the midpoint
    between the scale's 4th and 5th notes: the worst place to hold still."""
    measured = [measure_body(s.pose).values for s in sightings.seen if s.pose is not None]
    if not measured:
        return preset
    columns = np.array(measured)
    voices = []
    for voice in preset.voices:
        pitch = voice.pitch
        column = columns[:, FEATURE_NAMES.index(pitch.feature)] if pitch is not None else None
        if pitch is None or pitch.mode != "scale" or column is None or np.isnan(column).all():
            voices.append(voice)
            continue
        held = float(np.nanmedian(column))
        notes = scale_notes(pitch.scale, note_to_midi(pitch.root), pitch.octaves)
        position = ((notes[3] + notes[4]) / 2 - notes[0]) / (12 * pitch.octaves)
        position = 1 - position if pitch.invert else position
        low, high = pitch.input
        start = held - position * (high - low)
        moved = {"input": (start, start + high - low), "curve": "linear", "dead_zone": 0.0}
        voices.append(voice.model_copy(update={"pitch": pitch.model_copy(update=moved)}))
    return preset.model_copy(update={"voices": voices})


def lapses(sightings: Sightings) -> int:
    """Frames the client was not the client (someone else, or nobody) after first being found."""
    seen = [s.seen for s in sightings.seen]
    found = next((i for i, x in enumerate(seen) if x is Seen.CLIENT), len(seen))
    return sum(x is not Seen.CLIENT for x in seen[found:])


def swaps(sightings: Sightings, places: tuple[float, ...]) -> int:
    """Times a player went from one person of the room to another after the first second (when
    the players are seated and settled): their torso at another person's place than the last
    time it was at one (`places`: each person's, left to right; "at" is within a third of the way
    to the next person: a pose between two people, blended of both, is neither)."""
    if not places:
        return 0
    where = np.array(places)
    near = np.min(np.diff(where)) / 3 if len(where) > 1 else np.inf
    last: dict[int, int] = {}
    count = 0
    start = sightings.frames[0].t_ns if sightings.frames else 0
    settled = [
        s for f, s in zip(sightings.frames, sightings.seen, strict=True)
        if f.t_ns - start >= SETTLED_S * 1e9
    ]  # fmt: skip
    for sighting in settled:
        for seat, pose in enumerate((sighting.pose, *sighting.group)):
            if pose is None:
                continue
            away = np.abs(where - signature(pose).centre[0])
            person = int(np.argmin(away))
            if away[person] > near:
                continue
            count += seat in last and last[seat] != person
            last[seat] = person
    return count
