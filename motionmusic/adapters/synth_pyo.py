"""The pyo synth: one graph built once per preset; per frame only values are set.

Every per-frame value goes through a `SigTo` ramp of `synth.ramp_ms` (10 ms unless a preset says), so
parameter changes never click. Voices fade (`fade_ms`) when their movement is not tracked; when
nobody is tracked at all, the master fades too, reverb tail included, so the room goes silent.
Output passes a look-ahead compressor and a hard clip at -1 dBFS: peaks can never exceed it,
whatever the mappings do. Mute is its own 5 ms gate, independent of everything else.

No oscillator here reads pyo's 513-point sine table (`SineLoop`, `FM`): in pyo 1.1 a phase that
rounds to exactly 512.0 (a tiny negative phase plus 512 in single precision) reads one value past
that table, which in the wheel's binary is a NaN. `FM` then puts a NaN into the mix, where the
reverb and the limiter keep it; `SineLoop` feeds it back into its phase and indexes the table at
-2^31, a segmentation fault (a silent `circle` crashed at 2.98 s every run). The tones are made
instead from a `Phasor` (a double-precision phase with no table) through `Sin`, a self-modulated
sine (`phase_modulated`), whose spectrum is that of the feedback and FM tones it replaces.

This module imports pyo: only the synth process and offline rendering load it.
"""

from __future__ import annotations

import contextlib
import io
import os

os.environ.setdefault("PYO_GUI_WX", "0")  # before pyo's import: no wxPython banner on stdout

from pathlib import Path
from typing import Any

from motionmusic.adapters.audio_libraries import prefer_system
from motionmusic.adapters.jack_xruns import count_xruns
from motionmusic.adapters.sound_server import stream_latency_s
from motionmusic.core.controls import Controls, VoiceControls
from motionmusic.core.presets import Preset, RewardSound, Synth, Voice
from motionmusic.core.protocols import AudioStatus
from motionmusic.core.scales import midi_to_hz, note_to_midi, reward_notes

LIBRARIES = prefer_system()  # the system's ALSA and JACK, loaded before pyo is

with contextlib.redirect_stdout(io.StringIO()):  # nor, without tkinter, its GUI banner
    import pyo


CEILING = 10 ** (-1.0 / 20)  # -1 dBFS
MUTE_S = 0.005
START_S = 5.0  # an output still not steady this long after it started is no output
STEADY_S = 0.25  # sound asked for this long (in buffers) after the start: the output is running
WATCH_S = 0.1  # how often the serving process looks at the stop flag and its parent
LATENCY_EVERY_S = 2.0  # a desktop sound server grows its buffer after an underrun: re-read it
TWO_PI = 6.283185307179586
FEEDBACK = 0.08 * TWO_PI  # the theremin's self-modulation at full brightness, in radians


def phase_modulated(freq: Any, depth: Any) -> tuple[Any, list[Any]]:
    """sin(phase + depth * sin(phase)) at `freq`: a sine that `depth` (radians) makes brighter,
    harmonic by harmonic (the n-th partial goes as the Bessel function J(n-1) of depth). With no
    table to index, no phase can read outside one. Returns the tone and what it is made of."""
    phase = pyo.Phasor(freq=freq, mul=TWO_PI)
    carrier = phase + pyo.Sin(phase) * depth
    return pyo.Sin(carrier), [phase, carrier]


class VoiceGraph:
    """One voice: its instrument, volume, brightness, pan and presence gate."""

    def __init__(self, voice: Voice, synth: Synth, boost: Any) -> None:
        ramp, fade = synth.ramp_ms / 1000, synth.fade_ms / 1000
        start = midi_to_hz(note_to_midi(voice.pitch.root if voice.pitch else voice.note))
        self.struck = voice.instrument == "mallet"
        self.ramp = 0.0 if self.struck else ramp
        self.freq = pyo.SigTo(start, time=self.ramp, init=start)
        self.amp = pyo.SigTo(0.0, time=ramp)
        self.gate = pyo.SigTo(0.0, time=fade)
        self.brightness = pyo.SigTo(0.5, time=ramp, init=0.5)
        self.tone = pyo.Clip(self.brightness + boost, min=0.0, max=1.0)  # + a "bright" reward
        self.pan = pyo.SigTo(0.5, time=ramp, init=0.5)
        self.velocity = pyo.Sig(0.0)
        self.trig = pyo.Trig()
        self._keep: list[Any] = []
        source = getattr(self, f"_{voice.instrument}")()
        self.out = pyo.Pan(source * self.amp * self.gate, outs=2, pan=self.pan)

    def _theremin(self) -> Any:
        tone, parts = phase_modulated(self.freq, self.tone * FEEDBACK)  # a feedback sine's sound
        cutoff = pyo.Scale(self.tone, outmin=900, outmax=7000, exp=2)
        self._keep += [*parts, tone, cutoff]
        return pyo.ButLP(tone, freq=cutoff)

    def _mallet(self) -> Any:
        table = pyo.ExpTable([(0, 0.0), (60, 1.0), (8191, 0.0)], exp=5)
        env = pyo.TrigEnv(self.trig, table=table, dur=1.6, mul=self.velocity)
        index = pyo.Scale(self.tone, outmin=0.4, outmax=2.5)
        depth = env * index  # FM at a 1:1 ratio: the index dies away with the strike
        tone, parts = phase_modulated(self.freq, depth)
        self._keep += [table, env, index, depth, *parts, tone]
        return tone * env * 2.0

    def _pad(self) -> Any:
        saw = pyo.SuperSaw(freq=self.freq, detune=0.25, bal=0.55)
        cutoff = pyo.Scale(self.tone, outmin=350, outmax=3500, exp=2)
        self._keep += [saw, cutoff]
        return pyo.MoogLP(saw, freq=cutoff, res=0.1, mul=6.0)  # SuperSaw is ~20 dB below a sine

    def apply(self, c: VoiceControls) -> None:
        """Set this frame's values (pyo wants Python floats, not numpy scalars)."""
        self.gate.value = 1.0 if c.present else 0.0
        if not c.present:
            return
        self.amp.value = float(c.amp)
        self.brightness.value = float(c.brightness)
        self.pan.value = float(c.pan)
        if not self.struck:
            self.freq.time = float(c.glide_s) if c.glide_s > 0.0 else self.ramp
            self.freq.value = float(c.freq)
        elif c.strike > 0.0:
            self.freq.value = float(c.freq)
            self.velocity.value = float(c.strike)
            self.trig.play()


class RewardGraph:
    """The sounds of reaching a ROM target (and the stretch zone beyond the calibrated reach).

    Everything is in the key of the preset's first voice: `chord` swells its tonic triad in,
    `shimmer` is a high tremolo sparkle on the root and fifth, `bright` makes every voice brighter.
    Each swells in over 80 ms and dies away over 0.8 s, so reaching sounds like arriving.
    """

    def __init__(self, preset: Preset) -> None:
        self.key = preset.key
        self.reward = pyo.Sig(0.0)
        self.stretch = pyo.Sig(0.0)
        level = preset.reward.level
        env = pyo.Port(self.reward, risetime=0.08, falltime=0.8, mul=level)
        stretch_env = pyo.Port(self.stretch, risetime=0.08, falltime=0.8, mul=level)
        self._keep: list[Any] = [env, stretch_env]
        parts = [
            self._sound(preset.reward.sound, env),
            self._sound(preset.reward.stretch_sound, stretch_env),
        ]
        self.boost = sum((b for _, b in parts), pyo.Sig(0.0))
        self.out = (
            pyo.Mix([o for o, _ in parts if o is not None], voices=2)
            if any(o is not None for o, _ in parts)
            else pyo.Sig([0.0, 0.0])
        )

    def _sound(self, kind: RewardSound, env: Any) -> tuple[Any, Any]:
        """(audio or None, brightness boost) for one reward kind."""
        notes = reward_notes(*self.key, kind)
        if kind == "chord":
            table = pyo.HarmTable([1.0, 0.35, 0.12, 0.05])
            tones = pyo.Osc(table, freq=[midi_to_hz(n) for n in notes], mul=env * 0.18)
            self._keep += [table, tones]
            return pyo.Pan(tones.mix(1), outs=2, pan=0.5), pyo.Sig(0.0)
        if kind == "shimmer":
            trem = pyo.Sine(freq=7.0, mul=0.5, add=0.5)
            tones = pyo.Sine(freq=[midi_to_hz(n) for n in notes], mul=env * trem * 0.08)
            self._keep += [trem, tones]
            return pyo.Pan(tones.mix(1), outs=2, pan=[0.3, 0.7, 0.5]), pyo.Sig(0.0)
        if kind == "bright":
            return None, env * 0.8
        return None, pyo.Sig(0.0)

    def apply(self, controls: Controls) -> None:
        self.reward.value = float(controls.reward)
        self.stretch.value = float(controls.stretch)


class SynthGraph:
    """All voices, reverb, presence gate, master cap, limiter, mute. Built once."""

    def __init__(self, preset: Preset) -> None:
        synth = preset.synth
        self.rewards = RewardGraph(preset)
        self.voices = [VoiceGraph(v, synth, self.rewards.boost) for v in preset.voices]
        self.mix = pyo.Mix([v.out for v in self.voices] + [self.rewards.out], voices=2)
        # FM with carrier = modulator puts a sideband at 0 Hz: block DC before it eats headroom
        self.dry = pyo.DCBlock(self.mix)
        self.reverb = pyo.Freeverb(self.dry, size=0.7, damp=0.6, bal=synth.reverb * 0.6)
        self.presence = pyo.SigTo(0.0, time=synth.fade_ms / 1000)
        self.mute = pyo.SigTo(1.0, time=MUTE_S, init=1.0)
        self.master = pyo.SigTo(synth.master, time=0.05, init=synth.master)
        level = self.reverb * self.presence * self.master
        self.limiter = pyo.Compress(
            level, thresh=-4.0, ratio=20, risetime=0.001, falltime=0.2, lookahead=4.0, knee=0.3
        )
        self.output = pyo.Clip(self.limiter * self.mute, min=-CEILING, max=CEILING)
        self.meter = pyo.PeakAmp(self.output)

    def peak(self) -> float:
        """Output peak of the last buffer (after limiter and mute): what the client hears."""
        return float(max(self.meter.get(all=True)))

    def start(self) -> None:
        self.output.out()

    def apply(self, controls: Controls) -> None:
        for graph, voice in zip(self.voices, controls.voices, strict=True):
            graph.apply(voice)
        self.rewards.apply(controls)
        self.presence.value = 1.0 if any(v.present for v in controls.voices) else 0.0

    def set_muted(self, muted: bool) -> None:
        self.mute.value = 0.0 if muted else 1.0


class OfflineSynth:
    """The synth's offline twin: the same graph on a manual pyo server, rendered into a WAV.

    It differs from the live synth only in time and sink: `send` first computes audio up to the
    frame's own time (from the first frame's), then applies the controls at exactly that point,
    so rendering is deterministic and as fast as the CPU allows. `close` lets the fade and the
    reverb tail ring out before the file is closed.
    """

    def __init__(
        self,
        preset: Preset,
        wav: Path,
        rate: int = 48000,
        buffer: int = 256,
        tail_s: float = 0.5,
        pipeline_ms: float | None = None,
    ) -> None:
        self.rate, self.buffer = rate, buffer
        self.pipeline_ms = pipeline_ms
        """A live pipeline's frame -> sound delay this render stands for (benchmarks): reported
        as the latency, so gliding voices predict it as they would live. None: no pipeline."""
        self.server = pyo.Server(
            sr=rate, nchnls=2, buffersize=buffer, duplex=0, audio="manual", verbosity=1
        )
        self.server.boot()
        self.graph = SynthGraph(preset)
        self.graph.start()
        self.server.start()
        self.server.recordOptions(dur=-1, filename=str(wav), fileformat=0, sampletype=1)
        self.server.recstart(str(wav))
        self.samples = 0
        self._t0: int | None = None
        self._ring_s = preset.synth.fade_ms / 1000 + tail_s
        self._closed = False

    def advance(self, seconds: float) -> None:
        """Compute audio up to `seconds` from the start (whole buffers)."""
        target = round(seconds * self.rate)
        while self.samples + self.buffer <= target:
            self.server.process()
            self.samples += self.buffer

    def send(self, controls: Controls, t_ns: int) -> None:
        self._t0 = t_ns if self._t0 is None else self._t0
        self.advance((t_ns - self._t0) / 1e9)
        self.graph.apply(controls)

    def set_muted(self, muted: bool) -> None:
        self.graph.set_muted(muted)

    def ensure_alive(self) -> None:
        """Nothing to restart: it lives in this process."""

    def status(self) -> AudioStatus | None:
        if self.pipeline_ms is None:
            return None
        return AudioStatus("offline", True, 0.0, self.pipeline_ms, 0)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.advance(self.samples / self.rate + self._ring_s)
        self.server.recstop()
        self.server.stop()
        self.server.shutdown()


def _attach(name: str) -> Any:
    """The parent's shared memory, not tracked here: the parent owns it. Before Python 3.13
    attaching registers it with the resource tracker the two processes share, which keeps a set
    of names; unregistering it again (as this did) removed the parent's entry too, and the
    tracker printed a KeyError traceback when the parent freed the segment at exit."""
    import sys
    from multiprocessing import resource_tracker, shared_memory

    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, **{"track": False})
    register = resource_tracker.register
    setattr(resource_tracker, "register", lambda *args: None)  # noqa: B010
    try:
        return shared_memory.SharedMemory(name=name)
    finally:
        setattr(resource_tracker, "register", register)  # noqa: B010


def _open_server(backend: str, rate: int, buffer: int, device: int | None) -> Any:
    """pyo's server, output only (`duplex=0`: no microphone is opened, so macOS asks for no
    permission), on the host API that suits the platform."""
    import sys

    host = {"winhost": "wasapi"} if sys.platform == "win32" else {}
    server = pyo.Server(
        sr=rate,
        nchnls=2,
        buffersize=buffer,
        duplex=0,
        audio=backend,
        jackname="motionmusic",
        verbosity=1,
        **host,
    )
    if backend == "portaudio" and device is not None:
        server.setOutputDevice(device)
    server.boot()
    if not server.getIsBooted():
        raise RuntimeError(f"{backend} audio did not start")
    return server


def _steady(array: Any, beats: float, wanted: int, timeout: float) -> bool:
    """Wait until the audio callback has beaten `wanted` times. Running is said only once sound
    flows: through a desktop's sound server PortAudio first fills the device's buffer at once,
    then hears nothing for up to a second while the stream starts (JACK calls every cycle from
    the first), and a synth said running but silent for that long would be taken for one whose
    device had gone, and restarted, again and again."""
    import time

    from motionmusic.core import channel as ch

    deadline = time.monotonic() + timeout
    while array[ch.HEARTBEAT] < beats + wanted:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def serve(
    shm_name: str,
    preset_json: str,
    backend: str,
    rate: int,
    buffer: int,
    device: int | None,
    log_path: str,
) -> None:
    """The synth process: boot pyo, build the graph once, apply controls every audio buffer.

    The per-buffer callback reads the shared control array (a few microseconds); nothing else in
    this process competes with the audio thread for the GIL.
    """
    import gc
    import time

    import numpy as np

    from motionmusic.core import channel as ch
    from motionmusic.native_output import redirect_native_output

    redirect_native_output(Path(log_path))
    memory = _attach(shm_name)
    array = np.ndarray((ch.SIZE,), dtype=np.float64, buffer=memory.buf)
    preset = Preset.model_validate_json(preset_json)
    try:
        server = _open_server(backend, rate, buffer, device)
    except Exception as exc:  # any audio failure is reported to the parent, which explains it
        print(f"audio failed: {exc}", flush=True)
        array[ch.STATUS] = ch.FAILED
        return
    graph = SynthGraph(preset)
    graph.start()
    reader = ch.ControlReader(array, len(preset.voices))
    xruns = count_xruns(array) if backend == "jack" else None
    # without JACK's own count: a callback over 1.5 buffers after the previous one
    # a callback later than this after the previous one: the output ran dry (a JACK client has
    # JACK's count instead); raised below to what a sound server holds once it says
    late_ns = [int(1.5 * buffer / rate * 1e9) if xruns is None else 0]
    last = [0]

    def on_buffer() -> None:
        now = time.monotonic_ns()
        if late_ns[0] and last[0] and now - last[0] > late_ns[0]:
            array[ch.LATE] += 1.0  # a dropout as the synth sees it
        last[0] = now
        array[ch.PEAK] = graph.peak()  # the buffer just played; published before the heartbeat
        array[ch.HEARTBEAT] += 1.0
        graph.set_muted(array[ch.MUTED] > 0.5)
        polled = reader.poll()
        if polled is not None:
            controls, seq = polled
            graph.apply(controls)
            reader.applied(seq, controls.t_ns, now)

    server.setCallback(on_buffer)
    # Python's cyclic garbage collector would otherwise run, now and then, inside the audio
    # callback and stall it for milliseconds. Everything built so far is frozen out of its reach,
    # and the steady state makes no reference cycles (controls are plain acyclic values).
    gc.freeze()
    gc.disable()
    beats, late = float(array[ch.HEARTBEAT]), float(array[ch.LATE])  # counted across restarts
    server.start()
    if not _steady(array, beats, round(STEADY_S * rate / buffer), START_S):
        print(f"audio failed: {backend} opened but never asked for sound", flush=True)
        array[ch.STATUS] = ch.FAILED
        server.stop()
        return
    array[ch.LATE] = late  # a stream's uneven first callbacks are no dropout
    array[ch.LATENCY] = output_latency_s(backend, rate, buffer, device)
    if late_ns[0]:
        late_ns[0] = max(late_ns[0], int(array[ch.LATENCY] * 1e9))
    array[ch.STATUS] = ch.RUNNING
    parent = os.getppid()
    orphaned = False
    ticks, latency_every = 0, round(LATENCY_EVERY_S / WATCH_S)
    while array[ch.STOP] == 0.0:
        time.sleep(WATCH_S)
        ticks += 1
        if backend == "portaudio" and ticks % latency_every == 0:
            array[ch.LATENCY] = output_latency_s(backend, rate, buffer, device)
            late_ns[0] = max(int(1.5 * buffer / rate * 1e9), int(array[ch.LATENCY] * 1e9))
        orphaned = os.getppid() != parent
        if orphaned:  # the loop's process died without stopping us: no orphan left playing
            break
    graph.presence.value = 0.0  # fade out before stopping: no click
    time.sleep(preset.synth.fade_ms / 1000 + 0.05)
    server.stop()
    if xruns is not None:
        xruns.close()
    server.shutdown()  # the mapping goes with the process
    if orphaned:
        memory.unlink()  # its owner is gone: nobody else will free the shared memory


def output_latency_s(backend: str, rate: int, buffer: int, device: int | None) -> float:
    """How long after a buffer starts being computed it is heard, as the output reports it (0:
    the parent knows, as for JACK). Through PortAudio: what the desktop's sound server says its
    stream and sink hold (a buffer written now joins the end of that queue), else what PortAudio
    says of its device; never less than a buffer."""
    if backend != "portaudio":
        return 0.0
    reported = stream_latency_s(os.getpid())
    if reported is None:
        outputs = pyo.pa_get_devices_infos()[1]
        chosen = device if device is not None else pyo.pa_get_default_output()
        reported = float(outputs.get(chosen, {}).get("latency", 0.0))
    return max(reported, buffer / rate)


def output_devices() -> list[tuple[int, str]]:
    """PortAudio output devices as (index, name)."""
    names, indices = pyo.pa_get_output_devices()
    return list(zip(indices, names, strict=True))
