"""Listening to rendered WAVs: level, fundamental frequency, clicks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


def read(path: Path) -> tuple[np.ndarray, int]:
    """Mono mix (mean of channels) and sample rate."""
    data, rate = sf.read(str(path), always_2d=True)
    return data.mean(axis=1), rate


def peak_dbfs(path: Path) -> float:
    data, _ = sf.read(str(path), always_2d=True)
    return float(20 * np.log10(np.abs(data).max() + 1e-12))


def level_db(x: np.ndarray, rate: int, window_s: float = 0.02) -> tuple[np.ndarray, np.ndarray]:
    """RMS level in dBFS per window, and window start times."""
    n = int(rate * window_s)
    frames = x[: len(x) // n * n].reshape(-1, n)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return np.arange(len(frames)) * window_s, 20 * np.log10(rms + 1e-12)


def f0_track(
    x: np.ndarray,
    rate: int,
    hop_s: float = 0.01,
    window: int = 2048,
    fmin: float = 60.0,
    fmax: float = 1200.0,
    floor_db: float = -70.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Fundamental frequency per hop (NaN where quieter than `floor_db` or unvoiced).

    Normalised cross-correlation (as in RAPT/YIN): each lag's correlation is divided by the exact
    energies of both windows, so a decaying note does not bias the estimate; the shortest lag
    scoring within 10% of the best avoids octave errors; parabolic interpolation gives sub-sample
    (about a cent) precision.
    """
    hop = int(rate * hop_s)
    lo, hi = int(rate / fmax), int(rate / fmin)
    times, f0 = [], []
    for start in range(0, len(x) - window - hi - 1, hop):
        seg = x[start : start + window + hi + 1]
        head = seg[:window]
        energy = float(np.dot(head, head))
        times.append(start / rate)
        if 10 * np.log10(energy / window + 1e-20) < floor_db:
            f0.append(np.nan)
            continue
        size = 1 << int(np.ceil(np.log2(2 * len(seg))))
        corr = np.fft.irfft(np.fft.rfft(seg, size) * np.conj(np.fft.rfft(head, size)), size)[
            : hi + 2
        ]
        squares = np.concatenate([[0.0], np.cumsum(seg * seg)])
        lagged = squares[window : window + hi + 2] - squares[: hi + 2]
        score = corr / np.sqrt(energy * lagged + 1e-20)
        best = lo + int(np.argmax(score[lo : hi + 1]))
        k = lo + int(np.argmax(score[lo : hi + 1] >= 0.9 * score[best]))
        while k + 1 <= hi and score[k + 1] > score[k]:
            k += 1
        if score[k] < 0.6:
            f0.append(np.nan)
            continue
        a, b, c = score[k - 1], score[k], score[k + 1]
        denominator = a - 2 * b + c
        shift = 0.5 * (a - c) / denominator if denominator != 0 else 0.0
        f0.append(rate / (k + shift))
    return np.array(times), np.array(f0)


def strongest_peak(x: np.ndarray, rate: int, fmin: float = 60.0) -> float:
    """Frequency of the strongest spectral peak of a short excerpt (Hann window, 16x zero padding,
    parabolic interpolation on the log magnitude: about a cent of precision)."""
    size = 1 << int(np.ceil(np.log2(len(x) * 16)))
    mag = 20 * np.log10(np.abs(np.fft.rfft(x * np.hanning(len(x)), size)) + 1e-12)
    lo = int(fmin * size / rate)
    k = lo + int(np.argmax(mag[lo:-1]))
    a, b, c = mag[k - 1], mag[k], mag[k + 1]
    return float((k + 0.5 * (a - c) / (a - 2 * b + c)) * rate / size)


def peak_track(
    x: np.ndarray,
    rate: int,
    fmin: float,
    hop_s: float = 0.01,
    window_s: float = 0.05,
    floor_db: float = -50.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The strongest spectral peak above `fmin` per hop (NaN where quieter than `floor_db`).
    For a voice in a chord of its own key, where the period a correlation finds is the chord's
    (a melody's G5 over a bass's C2 repeats at C4): a near-sine voice is its strongest peak."""
    hop, window = int(rate * hop_s), int(rate * window_s)
    times, peaks = [], []
    for start in range(0, len(x) - window, hop):
        seg = x[start : start + window]
        times.append(start / rate)
        loud = 10 * np.log10(np.mean(seg**2) + 1e-20) >= floor_db
        peaks.append(strongest_peak(seg, rate, fmin) if loud else np.nan)
    return np.array(times), np.array(peaks)


def cents(f: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return np.asarray(1200 * np.log2(f / reference))


def max_step(x: np.ndarray) -> float:
    """The largest sample-to-sample jump: a click shows up as a big one."""
    return float(np.abs(np.diff(x)).max())


def band(x: np.ndarray, rate: int, low: float, high: float) -> np.ndarray:
    """Only what lies between `low` and `high` Hz (an ideal filter over the whole recording):
    to listen to one voice of several in different registers."""
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    spectrum[(freqs < low) | (freqs > high)] = 0
    return np.fft.irfft(spectrum, len(x))
