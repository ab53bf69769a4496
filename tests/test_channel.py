"""The shared-memory control channel, without processes: consistency and strikes."""

from __future__ import annotations

import numpy as np

from motionmusic.core import channel as ch
from motionmusic.core.controls import Controls, VoiceControls


def controls(freq: float, strike: float = 0.0) -> Controls:
    return Controls(123, (VoiceControls(freq, 0.5, 0.5, 0.5, True, strike),))


def test_reader_sees_each_new_frame_once():
    array = np.zeros(ch.SIZE)
    writer, reader = ch.ControlWriter(array), ch.ControlReader(array, 1)
    assert reader.poll() is None
    writer.send(controls(220.0), 5_000)
    polled = reader.poll()
    assert polled is not None and polled[0].voices[0].freq == 220.0 and polled[0].t_ns == 5_000
    assert reader.poll() is None  # nothing new


def test_a_write_in_progress_is_never_read():
    array = np.zeros(ch.SIZE)
    writer, reader = ch.ControlWriter(array), ch.ControlReader(array, 1)
    writer.send(controls(220.0), 1)
    array[ch.SEQ] += 1  # a writer caught half-way (odd sequence)
    assert reader.poll() is None


def polled(reader: ch.ControlReader) -> Controls:
    got = reader.poll()
    assert got is not None, "nothing new to read"
    return got[0]


def test_strikes_are_counted_not_missed_and_not_repeated():
    array = np.zeros(ch.SIZE)
    writer, reader = ch.ControlWriter(array), ch.ControlReader(array, 1)
    writer.send(controls(440.0, strike=0.8), 1)
    assert polled(reader).voices[0].strike == 0.8
    writer.send(controls(440.0), 2)
    assert polled(reader).voices[0].strike == 0.0  # held note: not struck again
    restarted = ch.ControlReader(array, 1)  # a synth process that came back
    writer.send(controls(440.0), 3)
    assert polled(restarted).voices[0].strike == 0.0  # no phantom note on restart


def test_latency_log_keeps_the_newest_pairs_in_order():
    array = np.zeros(ch.SIZE)
    reader = ch.ControlReader(array, 1)
    for i in range(ch.LOG_SIZE + 10):
        reader.applied(i, capture_ns=i, now_ns=i + 3)
    log = ch.latency_log(array)
    assert len(log) == ch.LOG_SIZE and log[0, 0] == 10 and log[-1, 1] == ch.LOG_SIZE + 12
