"""The control channel between the loop and the synth process: one shared float64 array.

Layout (indices into the array):

    0 seq          even when stable; the writer makes it odd while writing (a seqlock)
    1 capture_ns   capture time of the frame these controls came from (monotonic ns)
    2 muted        1.0 silences the output within 5 ms
    3 heartbeat    incremented by the synth on every audio buffer
    4 applied_seq  last seq the synth applied ...
    5 applied_ns   ... and when (monotonic ns, the same clock in both processes)
    6 latency_s    output latency the audio backend reports (written once by the synth)
    7 status       0 starting, 1 running, -1 failed to start, -2 its JACK server shut down
    8 peak         the synth's output peak over its last buffer (0..1), after limiter and mute
    9 reward       1 while a ROM target is reached (the synth ramps its reward sound)
    10 stretch     1 in the stretch zone
    11 late        audio buffers whose callback came over 1.5 buffers after the previous one
    12 stop        1.0 asks the synth process to fade out and end (a flag, not a lock: a synth
                   killed mid-way can hold no lock the parent would then wait on for ever)
    13..           per voice VOICE_SLOTS values: freq, amp, brightness, pan, present,
                   strikes (a counter: the synth strikes when it grows), strike velocity,
                   glide time
    LOG..          a ring of (capture_ns, applied_ns) pairs for latency measurement

Pure numpy over any buffer: the parent and the synth process each wrap the same shared memory.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from motionmusic.core.controls import Controls, VoiceControls

(
    SEQ,
    CAPTURE,
    MUTED,
    HEARTBEAT,
    APPLIED_SEQ,
    APPLIED_NS,
    LATENCY,
    STATUS,
    PEAK,
    REWARD,
    STRETCH,
    LATE,
    STOP,
) = range(13)
HEAD = 13
STARTING, RUNNING, FAILED, SERVER_GONE = 0.0, 1.0, -1.0, -2.0  # values of `STATUS`
VOICE_SLOTS = 8
MAX_VOICES = 8
LOG = HEAD + VOICE_SLOTS * MAX_VOICES
LOG_SIZE = 4096
SIZE = LOG + 1 + 2 * LOG_SIZE  # + ring write index
FloatArray = npt.NDArray[np.float64]


class ControlWriter:
    """The loop's end: publishes each frame's controls without ever waiting for the synth."""

    def __init__(self, array: FloatArray) -> None:
        self.array = array
        self._strikes = np.zeros(MAX_VOICES)

    def send(self, controls: Controls, capture_ns: int) -> None:
        a = self.array
        seq = a[SEQ]
        a[SEQ] = seq + 1  # odd: writing
        a[CAPTURE] = float(capture_ns)
        a[REWARD], a[STRETCH] = controls.reward, controls.stretch
        for i, voice in enumerate(controls.voices):
            self._strikes[i] += voice.strike > 0.0
            base = HEAD + i * VOICE_SLOTS
            a[base : base + VOICE_SLOTS] = (
                voice.freq,
                voice.amp,
                voice.brightness,
                voice.pan,
                float(voice.present),
                self._strikes[i],
                voice.strike,
                voice.glide_s,
            )
        a[SEQ] = seq + 2  # even: stable

    def mute(self, muted: bool) -> None:
        self.array[MUTED] = 1.0 if muted else 0.0


class ControlReader:
    """The synth's end: reads a consistent snapshot, or nothing if a write is in progress."""

    def __init__(self, array: FloatArray, voices: int) -> None:
        self.array = array
        self.voices = voices
        self.seq = 0.0
        # strikes counted before this reader existed (a restarted synth) are not struck again
        self._strikes = np.array([array[HEAD + i * VOICE_SLOTS + 5] for i in range(MAX_VOICES)])

    def poll(self) -> tuple[Controls, int] | None:
        """New controls (and their capture time) since the last poll, else None."""
        a = self.array
        seq = float(a[SEQ])
        if seq == self.seq or int(seq) % 2:
            return None
        snapshot = a[: HEAD + VOICE_SLOTS * self.voices].copy()
        if float(a[SEQ]) != seq:
            return None  # torn: try again next buffer
        self.seq = seq
        voices = []
        for i in range(self.voices):
            freq, amp, bright, pan, present, strikes, velocity, glide = snapshot[
                HEAD + i * VOICE_SLOTS :
            ][:VOICE_SLOTS]
            struck = strikes > self._strikes[i]
            self._strikes[i] = strikes
            strike = velocity if struck else 0.0
            voices.append(
                VoiceControls(freq, amp, bright, pan, present > 0.5, strike, glide_s=glide)
            )
        controls = Controls(
            int(snapshot[CAPTURE]), tuple(voices), float(snapshot[REWARD]), float(snapshot[STRETCH])
        )
        return controls, int(seq)

    def applied(self, seq: int, capture_ns: int, now_ns: int) -> None:
        a = self.array
        a[APPLIED_SEQ], a[APPLIED_NS] = seq, now_ns
        index = int(a[LOG])
        slot = LOG + 1 + 2 * (index % LOG_SIZE)
        a[slot], a[slot + 1] = capture_ns, now_ns
        a[LOG] = index + 1


def latency_log(array: FloatArray, last: int = LOG_SIZE) -> FloatArray:
    """The `last` (capture_ns, applied_ns) pairs recorded by the synth, oldest first (at most
    LOG_SIZE). Only those are copied: a watcher asking for the recent few copies a few."""
    count = int(array[LOG])
    ring = array[LOG + 1 :].reshape(LOG_SIZE, 2)
    indices = np.arange(max(count - min(last, LOG_SIZE), 0), count) % LOG_SIZE
    return ring[indices]
