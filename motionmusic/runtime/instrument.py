"""What the client plays: the preset (through the client's profile) and the synth that sounds it.

A mapping change plays from the next frame with the same synth. A preset with other instruments,
synth settings or reward needs a new pyo graph: its synth boots in the background (the old one
plays on meanwhile) and the two swap at a frame boundary, the old one fading out. Either way the
client's reps and time in target carry over: it is the same session.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

from motionmusic.core.controls import Controls
from motionmusic.core.features import Features
from motionmusic.core.performer import Performer
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import AudioStatus, Output, Played, Synth, SynthFactory


def same_sound(a: Preset, b: Preset) -> bool:
    """True when `b` can play on `a`'s synth graph (only mappings or smoothing differ)."""
    return (
        [(v.instrument, v.note) for v in a.voices] == [(v.instrument, v.note) for v in b.voices]
        and a.synth == b.synth
        and a.reward == b.reward
    )


LEAD_EVERY_NS = 500_000_000
"""How often the measured pipeline delay is read again (it moves slowly)."""


class Instrument:
    def __init__(
        self,
        preset: Preset,
        synth: Synth,
        profile: Profile | None = None,
        factory: SynthFactory | None = None,
        outputs: Sequence[Output] = (),
    ) -> None:
        self.preset, self.profile, self.synth = preset, profile, synth
        self.outputs = list(outputs)  # other instruments: MIDI, OSC
        self._restarts = getattr(synth, "restarts", 0)
        self._present = False
        self.performer = Performer(preset, profile)
        self.muted = False
        self._factory = factory
        self._pending: tuple[Preset, Synth] | None = None
        self._booting: threading.Thread | None = None
        self.lead_s = 0.0  # the pipeline delay gliding voices predict (`Ahead`)
        self._lead_at = -LEAD_EVERY_NS

    def play(self, preset: Preset) -> bool:
        """Play `preset`: True if it plays from this frame, False if its synth is booting first
        (`swap_if_ready` puts it in). A malformed preset never gets here: loading validates."""
        if same_sound(self.preset, preset) or self._factory is None:
            self._perform(preset)
            return True
        factory = self._factory

        def boot() -> None:
            self._pending = (preset, factory(preset))

        self._booting = threading.Thread(target=boot, name="synth-switch", daemon=True)
        self._booting.start()
        return False

    def wait_for_switch(self, timeout: float | None = None) -> None:
        """Until a synth being booted for a new preset is up (tests, and closing cleanly)."""
        if self._booting is not None:
            self._booting.join(timeout)

    def swap_if_ready(self) -> Preset | None:
        """At a frame boundary: put in a preset whose synth has booted; returns it if so."""
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        preset, synth = pending
        old, self.synth = self.synth, synth
        synth.set_muted(self.muted)
        self._perform(preset)
        threading.Thread(target=old.close, name="synth-retire", daemon=True).start()
        return preset

    def use(self, profile: Profile | None) -> None:
        """Play through this client's (new) ranges and targets from this frame on."""
        self.profile = profile
        self.performer = Performer(self.preset, profile, self.performer.rewarder)

    def restart_counts(self) -> None:
        """A session log starts: reps and time in target count from zero, as its summary will."""
        self.performer = Performer(self.preset, self.profile)

    def _perform(self, preset: Preset) -> None:
        if preset is not self.preset:
            for output in self.outputs:  # nothing of the last preset left hanging
                output.switch(preset)
        self.preset = preset
        self.performer = Performer(preset, self.profile, self.performer.rewarder)

    def step(self, angles: Features, group: Sequence[Features] = ()) -> Controls:
        """The controls for this frame: the client's `angles`, and in group play the others'
        (person 2, 3, ... in order)."""
        if angles.t_ns - self._lead_at >= LEAD_EVERY_NS:
            self._lead_at, self.lead_s = angles.t_ns, self._pipeline_s()
        return self.performer.step(angles, self.lead_s, group)

    @property
    def synth_plays(self) -> bool:
        """False while a preset saying `[outputs.midi] synth = false` plays on another
        instrument: the internal synth fades out and stays silent (without one, as when
        rendering, it plays: there is nothing else to hear)."""
        return self.preset.plays_synth or not self.outputs

    def _pipeline_s(self) -> float:
        """The synth's recent frame -> sound median; 0 where it measures none (offline)."""
        status = self.synth.status()
        latency = status.latency_ms if status is not None else math.nan
        return 0.0 if math.isnan(latency) else latency / 1000

    def send(self, controls: Controls, t_ns: int) -> None:
        self.synth.ensure_alive()
        self.synth.send(controls if self.synth_plays else controls.hushed(), t_ns)
        restarts = getattr(self.synth, "restarts", 0)
        if restarts != self._restarts:  # the synth was restarted: other instruments start clean
            self._restarts = restarts
            self._silence_outputs()

    def play_outputs(self, angles: Features, controls: Controls, present: bool) -> None:
        """Other instruments get the frame after the synth; losing the client lets notes go."""
        if not self.outputs:
            return
        if self._present and not present:
            self._silence_outputs()
        self._present = present
        rewarder = self.performer.rewarder
        targets = tuple(rewarder.states()) if rewarder is not None else ()
        played = Played(angles, controls, targets, present)
        for output in self.outputs:
            output.play(played)

    def _silence_outputs(self) -> None:
        for output in self.outputs:
            output.silence()

    def silence(self, t_ns: int) -> None:
        """Nobody tracked (the source ended or the camera went): every voice fades out."""
        self.synth.send(self.performer.silence(t_ns), t_ns)
        self._silence_outputs()

    def mute(self, muted: bool | None = None) -> bool:
        """Set or toggle mute; straight to the synth and the other instruments, whatever the
        loop is doing."""
        self.muted = (not self.muted) if muted is None else muted
        self.synth.set_muted(self.muted)
        for output in self.outputs:
            output.set_muted(self.muted)
        return self.muted

    def panic(self) -> None:
        """All notes off on every other instrument, now (the UI's panic key)."""
        self._silence_outputs()

    def status(self) -> AudioStatus | None:
        return self.synth.status()

    def close(self) -> None:
        """Stop a synth still booting for a switch too: no process is left behind."""
        self.wait_for_switch(timeout=20.0)
        pending, self._pending = self._pending, None
        if pending is not None:
            pending[1].close()
        self.synth.close()
        for output in self.outputs:
            output.close()
