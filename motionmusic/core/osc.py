"""Movement as OSC: what each frame changed, as (address, arguments) pairs.

The address space (README, "Other instruments"):

    /motionmusic/angle/<name>               value (degrees or shoulder widths), confidence
    /motionmusic/voice/<n>/note             MIDI note number (int; n counts from 1)
    /motionmusic/voice/<n>/freq             Hz
    /motionmusic/voice/<n>/amp              0..1 (0 when the voice is silent)
    /motionmusic/voice/<n>/brightness       0..1
    /motionmusic/voice/<n>/pan              0 left .. 1 right
    /motionmusic/target/<angle>/enter       reps so far: the zone was entered (the reward plays)
    /motionmusic/target/<angle>/hit         reps so far: a repetition was counted
    /motionmusic/target/<angle>/leave       seconds in target so far: the zone was left
    /motionmusic/client/present             (no arguments) the client is followed again
    /motionmusic/client/lost                (no arguments) the client is not in view

Only what changed is sent: an angle when it moved by `ANGLE_STEP` or its confidence by 0.05, a
voice's value when it changed, an event when it happened. A receiver holds the last level it was
sent, so `silence()` sends amp 0 for every voice still sounding (mute, preset switch, the end):
the OSC twin of MIDI's all-notes-off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from motionmusic.core.controls import Controls
from motionmusic.core.features import FEATURE_NAMES, Features
from motionmusic.core.targets import TargetState

Message = tuple[str, tuple[float | int, ...]]
ROOT = "/motionmusic"
ANGLE_STEP = 0.1  # degrees (or shoulder widths): finer than any tracker can tell
VOICE_FIELDS = ("note", "freq", "amp", "brightness", "pan")


class OscPlan:
    """What to send, frame by frame."""

    def __init__(self) -> None:
        self._angles: dict[str, tuple[float, float]] = {}
        self._voices: dict[str, float] = {}
        self._targets: dict[str, TargetState] = {}
        self._present: bool | None = None

    def step(
        self,
        angles: Features | None,
        controls: Controls | None,
        targets: Sequence[TargetState],
        present: bool,
    ) -> list[Message]:
        out = self._client(present)
        if angles is not None:
            out += self._angle_changes(angles)
        if controls is not None:
            out += self._voice_changes(controls)
        for state in targets:
            out += self._target_events(state)
        return out

    def silence(self) -> list[Message]:
        """amp 0 for every voice whose last amp sent was not."""
        out: list[Message] = []
        for address, value in self._voices.items():
            if address.endswith("/amp") and value != 0.0:
                self._voices[address] = 0.0
                out.append((address, (0.0,)))
        return out

    def _client(self, present: bool) -> list[Message]:
        if present == self._present:
            return []
        self._present = present
        return [(f"{ROOT}/client/{'present' if present else 'lost'}", ())]

    def _angle_changes(self, angles: Features) -> list[Message]:
        out: list[Message] = []
        for i, name in enumerate(FEATURE_NAMES):
            value, confidence = float(angles.values[i]), float(angles.confidence[i])
            if math.isnan(value):
                continue
            last = self._angles.get(name)
            if (
                last is not None
                and abs(value - last[0]) < ANGLE_STEP
                and abs(confidence - last[1]) < 0.05
            ):
                continue
            self._angles[name] = (value, confidence)
            out.append((f"{ROOT}/angle/{name}", (round(value, 2), round(confidence, 3))))
        return out

    def _voice_changes(self, controls: Controls) -> list[Message]:
        out: list[Message] = []
        for n, voice in enumerate(controls.voices, start=1):
            amp = voice.amp if voice.present else 0.0
            values: dict[str, float | int] = {
                "note": round(voice.midi),
                "freq": round(voice.freq, 2),
                "amp": round(amp, 3),
                "brightness": round(voice.brightness, 3),
                "pan": round(voice.pan, 3),
            }
            for field in VOICE_FIELDS:
                address = f"{ROOT}/voice/{n}/{field}"
                if self._voices.get(address) != values[field]:
                    self._voices[address] = values[field]
                    out.append((address, (values[field],)))
        return out

    def _target_events(self, state: TargetState) -> list[Message]:
        before = self._targets.get(state.feature)
        self._targets[state.feature] = state
        base = f"{ROOT}/target/{state.feature}"
        if before is None:
            return []
        out: list[Message] = []
        if state.reached > before.reached:
            out.append((f"{base}/enter", (state.reps,)))
        if state.reps > before.reps:
            out.append((f"{base}/hit", (state.reps,)))
        if before.in_target and not state.in_target:
            out.append((f"{base}/leave", (round(state.seconds_in_target, 2),)))
        return out
