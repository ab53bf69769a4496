"""The musician in the loop: each frame's angles become each voice's sound controls.

Pure and deterministic: the same angles give the same controls, live or replayed, so a rendered
WAV can be checked against the movement that made it. A voice whose movement is not measured is
marked absent (the synth fades it out) and keeps its last pitch, so it never jumps or sticks loud.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from motionmusic.core.controls import Controls, VoiceControls
from motionmusic.core.features import Features
from motionmusic.core.gestures import GestureDetector, GestureState
from motionmusic.core.pointer import PointerPlayer, PointerState
from motionmusic.core.presets import Level, Preset, Voice
from motionmusic.core.profile import Profile, apply_profile
from motionmusic.core.scales import midi_to_hz, note_to_midi, scale_notes
from motionmusic.core.schema import Control
from motionmusic.core.shaping import Backlash, Quantiser, TriggerDetector, shape, velocity
from motionmusic.core.targets import Rewarder, rewarder_for


def position(control: Control | None, angles: Features) -> float:
    """Where `angles` put a control's movement in its range, 0..1 (NaN: not measured)."""
    if control is None:
        return math.nan
    return shape(
        angles[control.feature], *control.input, control.curve, control.invert, control.dead_zone
    )


def _level(level: Level | None, angles: Features, default: float) -> float:
    if level is None:
        return default
    p = position(level, angles)
    low, high = level.output
    return low + p * (high - low)


class VoicePlayer:
    """One voice's state across frames: its scale quantiser, trigger detector, last pitch."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        pitch = voice.pitch
        self.root = note_to_midi(pitch.root if pitch else voice.note)
        self.span = 12 * (pitch.octaves if pitch else 0)
        notes = scale_notes(pitch.scale, self.root, pitch.octaves) if pitch else None
        self.quantiser = (
            Quantiser(notes, pitch.hysteresis) if pitch is not None and notes is not None else None
        )
        self.backlash = Backlash(pitch.hold_cents / 100) if pitch is not None else None
        trigger = voice.trigger
        watched = trigger.control or pitch if trigger else None
        self.detector = None
        if trigger and trigger.on != "note_change":
            threshold = trigger.threshold if trigger.on == "threshold" else None
            speed = trigger.speed if trigger.on == "speed" else None
            self.detector = TriggerDetector(threshold, speed, trigger.min_interval_ms / 1000)
        self.watched = watched
        self.midi = float(self.root)
        self._struck_midi: float | None = None
        self._struck_at = -math.inf
        self._last: tuple[float, float] | None = None  # (t, pitch position) for strike speed
        gliding = pitch is not None and pitch.mode == "glide" and pitch.ahead
        self.ahead = Ahead() if gliding else None

    def _pitch(self, p: float) -> float:
        midi = self.root + p * self.span
        if self.voice.pitch and self.voice.pitch.mode == "scale" and self.quantiser:
            return self.quantiser(midi)
        return self.backlash(midi) if self.backlash else midi

    def _strike(self, t: float, p: float, angles: Features) -> float:
        trigger = self.voice.trigger
        if trigger is None:
            return 0.0
        if self.detector is not None:
            return self.detector(t, position(self.watched, angles))
        previous, self._last = self._last, (t, p)
        changed = self.midi != self._struck_midi
        if not changed or t - self._struck_at < trigger.min_interval_ms / 1000:
            return 0.0
        rate = abs(p - previous[1]) / max(t - previous[0], 1e-3) if previous else 0.0
        self._struck_midi, self._struck_at = self.midi, t
        return velocity(rate)

    def step(
        self,
        t: float,
        angles: Features,
        tracked: bool = True,
        lead_s: float = 0.0,
        gate: GestureState | None = None,
        note: int | None = None,
    ) -> VoiceControls:
        """`tracked`: someone is in view (a voice moved by nothing, a drone, sounds only then);
        `lead_s`: the pipeline delay a glide heading ahead makes up for; `gate`: the gesture
        that sounds it, if it has one; `note`: the chord's note it plays, if it plays one."""
        v = self.voice
        if note is not None and v.pitch is None:
            self.midi = float(note)
        p = position(v.pitch, angles)
        amp = _level(v.volume, angles, 1.0) * v.level
        present = tracked and not math.isnan(amp) and (v.pitch is None or not math.isnan(p))
        present = present and (gate is None or gate.on)
        if not present:
            self._last = None
            if self.ahead is not None:
                self.ahead.reset()
            return VoiceControls(midi_to_hz(self.midi), 0.0, 0.5, 0.5, False, midi=self.midi)
        if v.pitch is not None:
            self.midi = self._pitch(p)
        brightness = _level(v.brightness, angles, 0.5)
        pan = _level(v.pan, angles, 0.5)
        strike = self._strike(t, p, angles)
        if gate is not None and gate.pressed and v.instrument == "mallet":
            strike = max(strike, GATE_VELOCITY)
        target, glide_s = (
            self.ahead(t, self.midi, lead_s) if self.ahead is not None else (self.midi, 0.0)
        )
        return VoiceControls(
            midi_to_hz(target),
            amp,
            _or(brightness, 0.5),
            _or(pan, 0.5),
            True,
            strike,
            self.midi,
            glide_s,
        )


class Ahead:
    """A glide heading ahead: between frames the pitch goes on the way the hand went.

    A pitch that steps when a frame comes and then holds trails the hand by half a frame (17 ms at
    30 fps), and the pipeline (camera, model, synth, output) adds its own delay before that.
    Sending, with each frame, where the pitch will be one frame later, plus the pipeline's delay
    (`lead_s`), and gliding there over one frame interval follows a steady move with neither.
    That is constant-velocity prediction, 50-60 ms ahead at 30 fps: on wrist height it beats
    holding the last value on every clip (benchmarks/README.md, "prediction"), and a body at
    rest, held by the rest hold, gives it nothing to amplify. The step is the smaller of the last
    two, and none unless both went the same way: no lead at the start of a move or after a
    turnaround, and a still hand (the same value twice) gets none at all.
    """

    MAX_INTERVAL_S = 0.05
    """Only at 20 fps or more: at 5 fps one frame ahead is 200 ms of guessing."""
    MAX_LEAD_S = 0.05
    """The pipeline's delay is predicted up to 50 ms (the benchmark measures 33 and 66 ms)."""

    def __init__(self) -> None:
        self._last: tuple[float, float] | None = None  # (t, midi)
        self._step = 0.0

    def __call__(self, t: float, midi: float, lead_s: float = 0.0) -> tuple[float, float]:
        """(the MIDI pitch to glide to, over how many seconds; 0: the preset's ramp)."""
        last, self._last = self._last, (t, midi)
        if last is None:
            return midi, 0.0
        interval, step = t - last[0], midi - last[1]
        previous, self._step = self._step, step
        if not 0.0 < interval <= self.MAX_INTERVAL_S or step * previous <= 0.0:
            return midi, 0.0
        steps = 1.0 + min(max(lead_s, 0.0), self.MAX_LEAD_S) / interval
        lead = math.copysign(min(abs(step), abs(previous)), step) * steps
        return midi + lead, interval

    def reset(self) -> None:
        self._last, self._step = None, 0.0


def _of(everyone: tuple[Features, ...], person: int, t_ns: int) -> Features:
    """Person `person`'s angles (1 is the client); missing when they are not in view."""
    return everyone[person - 1] if person <= len(everyone) else Features.missing(t_ns)


GATE_VELOCITY = 0.8
"""How hard a gesture strikes a mallet: a switch has no speed to tell a velocity from."""


def _or(value: float, default: float) -> float:
    return default if math.isnan(value) else value


class Performer:
    """All voices of a preset, stepped together once per frame, played by one client.

    With a profile, every mapping runs through the client's calibrated range and gain, and their
    ROM targets drive the preset's reward.
    """

    def __init__(
        self, preset: Preset, profile: Profile | None = None, carried: Rewarder | None = None
    ) -> None:
        self.preset = apply_profile(preset, profile)
        self.profile = profile
        self.players = [VoicePlayer(voice) for voice in self.preset.voices]
        self.rewarder = rewarder_for(profile, preset.reward, carried)
        self.detectors = [GestureDetector(gesture) for gesture in self.preset.gestures]
        zones = profile.display.pointer_zones if profile else None
        pointer = self.preset.pointer
        self.pointer = PointerPlayer(pointer, zones) if pointer else None
        self.pointed: PointerState | None = None  # after the last frame
        self.gestures: tuple[GestureState, ...] = ()  # after the last frame
        self.actions: list[str] = []  # switch actions pressed in the last frame (mute, ...)
        self.chord = 0  # the progression's current chord

    def _gestures(self, t: float, angles: Features) -> dict[str, GestureState]:
        states = {d.gesture.name: d(t, angles[d.gesture.feature]) for d in self.detectors}
        self.gestures = tuple(states.values())
        self.actions = []
        for detector in self.detectors:
            action = detector.gesture.action
            if not states[detector.gesture.name].pressed or action == "play":
                continue
            if action == "next_chord" and self.preset.chords:
                self.chord = (self.chord + 1) % len(self.preset.chords)
            elif action != "next_chord":
                self.actions.append(action)
        return states

    def _gate(self, voice: Voice) -> str:
        """The name of what sounds `voice`: its gesture, or the pointer ("": nothing)."""
        if self.pointer is not None and self.pointer.pointer.voice == voice.name:
            return "pointer"
        return voice.gate or ""

    def _note(self, voice: Voice) -> int | None:
        if self.pointer is not None and self.pointed and self.pointer.pointer.voice == voice.name:
            return self.pointer.note(self.pointed)
        if voice.chord_tone is None:
            return None
        return note_to_midi(self.preset.chords[self.chord][voice.chord_tone])

    def step(
        self, angles: Features, lead_s: float = 0.0, group: Sequence[Features] = ()
    ) -> Controls:
        """`lead_s`: the pipeline's frame -> sound delay, which gliding voices predict."""
        t = angles.t_ns / 1e9
        everyone = (angles, *group)
        gates = self._gestures(t, angles)
        if self.pointer is not None:
            self.pointed = self.pointer(t, angles, gates)
            gates["pointer"] = self.pointer.gate(self.pointed)
        voices = tuple(
            player.step(
                t,
                played,
                bool(played.confidence.any()),
                lead_s,
                gates.get(self._gate(player.voice)),
                self._note(player.voice),
            )
            for player in self.players
            for played in [_of(everyone, player.voice.person, angles.t_ns)]
        )
        reward, stretch = self.rewarder.update(angles) if self.rewarder else (0.0, 0.0)
        return Controls(angles.t_ns, voices, reward, stretch)

    def silence(self, t_ns: int) -> Controls:
        """Every voice absent (it fades out), no reward; the target counts are left alone: no
        frame was measured, and the session log records none."""
        missing = Features.missing(t_ns)
        voices = tuple(player.step(t_ns / 1e9, missing, False) for player in self.players)
        return Controls(t_ns, voices)
