"""Prediction as a measured option: would extrapolating each angle by the pipeline's delay beat
simply holding the last value?

Each clip is tracked once (full model, no smoothing). For every angle a shipped preset plays, at
horizons of 33 and 66 ms (one and two camera frames, about the real-time pipeline's delay), the
value the next frames actually measured is compared with three guesses made from the frames so far:
hold (the last value), constant velocity (the last two frames' slope), and an alpha-beta filter
(alpha 0.5, beta 0.2: a position and velocity tracker). RMS error in degrees (wrist heights in degrees of
arm elevation, times 50, as the filters scale them). Usage: prediction.py [--write-readme].
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import rewrite_readme, unsmoothed  # noqa: E402

from motionmusic.core.features import FEATURE_INDEX  # noqa: E402
from motionmusic.core.session import features  # noqa: E402
from motionmusic.native_output import native_logs_to_file  # noqa: E402
from motionmusic.store.preset_library import find_preset, shipped  # noqa: E402

CLIPS = ("dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4", "squats_arms_forward_5fps.mp4",
         "head_tilt_webcam.mp4")  # fmt: skip
HORIZONS_S = (0.033, 0.066)
ALPHA, BETA = 0.5, 0.2


def series(clip: str) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, angle table of frames by angles) of a clip, unsmoothed, NaN where not measured."""
    samples, _ = unsmoothed(clip)
    t0 = samples[0].frame.t_ns
    times = np.array([(s.frame.t_ns - t0) / 1e9 for s in samples])
    return times, np.array([s.raw.values for s in samples])


def guesses(t: np.ndarray, x: np.ndarray, h: float) -> dict[str, np.ndarray]:
    """Each method's guess, at every frame, of the value `h` seconds later."""
    hold = x.copy()
    velocity = np.full_like(x, np.nan)
    velocity[1:] = np.diff(x) / np.diff(t)
    tracked = np.full_like(x, np.nan)
    pos, vel = np.nan, 0.0
    for i in range(len(x)):
        if np.isnan(x[i]):
            pos, vel = np.nan, 0.0
            continue
        if np.isnan(pos):
            pos = x[i]
        else:
            dt = t[i] - t[i - 1]
            ahead = pos + vel * dt
            residual = x[i] - ahead
            pos, vel = ahead + ALPHA * residual, vel + BETA * residual / dt
        tracked[i] = pos + vel * h
    return {"hold": hold, "constant velocity": x + velocity * h, "alpha-beta": tracked}


def rms_errors(t: np.ndarray, x: np.ndarray, h: float) -> dict[str, float]:
    truth = np.interp(t + h, t, x, right=np.nan)
    gaps = np.interp(t + h, t, np.isnan(x).astype(float), right=1.0) > 0
    truth[gaps] = np.nan
    made = guesses(t, x, h)
    comparable = ~np.isnan(made["constant velocity"])  # every method judged on the same frames
    out = {}
    for name, guess in made.items():
        err = guess - truth
        ok = ~np.isnan(err) & comparable
        out[name] = float(np.sqrt(np.mean(err[ok] ** 2))) if ok.sum() > 10 else float("nan")
    return out


def main() -> None:
    played = sorted({f for p in shipped() for f in features(find_preset(p.stem))})
    lines = [
        "| clip | angle | horizon | hold | constant velocity | alpha-beta |",
        "|---|---|---|---|---|---|",
    ]
    wins = total = 0
    with native_logs_to_file():
        for clip in CLIPS:
            t, table = series(clip)
            for name in played:
                x = table[:, FEATURE_INDEX[name]] * (50.0 if name.endswith("wrist_height") else 1.0)
                if np.mean(~np.isnan(x)) < 0.5:
                    continue
                for h in HORIZONS_S:
                    e = rms_errors(t, x, h)
                    best = min(e["constant velocity"], e["alpha-beta"])
                    wins, total = wins + (best < e["hold"]), total + 1
                    lines.append(
                        f"| {clip.removesuffix('.mp4')} | {name} | {h * 1000:.0f} ms | "
                        f"{e['hold']:.1f}° | {e['constant velocity']:.1f}° | {e['alpha-beta']:.1f}° |"
                    )
    lines.append(f"\nA predictor beat holding in {wins} of {total} cases.")
    text = "\n".join(lines)
    print(text)
    if "--write-readme" in sys.argv[1:]:
        rewrite_readme("prediction", text)


if __name__ == "__main__":
    main()
