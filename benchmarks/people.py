"""Following the client: what it costs, and whether anyone else is ever played.

1. One person in view (dance, tai chi; lite and full): frames per second of the whole loop,
   unpaced, with one pose on the whole picture (the loop before the client lock: the baseline,
   run alternately with it in the same process) against the follower (one pose in the client's
   zone, checked against what it remembers). Target: within 5%.
2. Two people in view (the test rooms of tests/scenes.py): frames per second with the follower,
   lite model. Target: >= 25 fps. For comparison, the bare MediaPipe loop asking for two poses.
3. Each room: identity switches (frames played from the other person), the client's frames not
   followed, and how long the client took to be found again after being hidden.

Usage: people.py [--write-readme] (the table goes to stdout, and with --write-readme into
benchmarks/README.md between its "people" markers).
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import media_dir, model_named, rewrite_readme, without_pixels  # noqa: E402

from motionmusic.adapters.pose_mediapipe import MediaPipePose  # noqa: E402
from motionmusic.adapters.video_cv2 import VideoSource  # noqa: E402
from motionmusic.core.client import Seen  # noqa: E402
from motionmusic.core.filters import OFF, FeatureFilter  # noqa: E402
from motionmusic.core.landmarks import Landmark as L  # noqa: E402
from motionmusic.core.people import Who  # noqa: E402
from motionmusic.core.protocols import Sample  # noqa: E402
from motionmusic.native_output import native_logs_to_file  # noqa: E402
from motionmusic.runtime.engine import Engine  # noqa: E402
from motionmusic.runtime.tracker import Tracker  # noqa: E402
from tests.scenes import FPS, Scene, make_scene  # noqa: E402

ROUNDS = 5
ONE_PERSON = ("dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4")
TORSO = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]


SETTLED = 10  # frames: the steady rate is counted from here (the first holds the search)


@dataclass(frozen=True)
class Run:
    fps: float  # over the whole clip
    steady: float  # from frame `SETTLED` on
    samples: list[Sample]
    scans: int


class Clock:
    """A sink noting when each frame left the loop."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.samples: list[Sample] = []

    def record(self, sample: Sample, controls: object) -> None:
        self.times.append(time.perf_counter())
        self.samples.append(without_pixels(sample))


def loop(video: Path, model: Path, follow: bool, who: Who | None = None, people: int = 1) -> Run:
    """The engine's loop over a clip, unpaced, with or without the follower (following
    `people` people: group play)."""
    source = VideoSource(video, realtime=False)
    with MediaPipePose(model) as estimator:
        tracker = Tracker(source, estimator, FeatureFilter(OFF), who, people)
        follower, tracker.follower = tracker.follower, tracker.follower if follow else None
        clock = Clock()
        started = time.perf_counter()
        Engine(tracker, sinks=[clock]).run()
    source.close()
    times = clock.times
    whole = len(times) / (times[-1] - started)
    steady = (len(times) - 1 - SETTLED) / (times[-1] - times[SETTLED])
    return Run(whole, steady, clock.samples, follower.scans if follow and follower else 0)


def alternately(video: Path, model: Path) -> tuple[Run, Run]:
    """The median runs (by steady fps) over `ROUNDS` of (baseline, follower), interleaved so
    drift hits both."""
    base, follow = [], []
    for _ in range(ROUNDS):
        base.append(loop(video, model, follow=False))
        follow.append(loop(video, model, follow=True))
    base.sort(key=lambda r: r.steady)
    follow.sort(key=lambda r: r.steady)
    return base[ROUNDS // 2], follow[ROUNDS // 2]


def bare_fps(video: Path, model: Path, poses: int) -> float:
    """MediaPipe alone (decode, colour, inference, VIDEO mode) asking for `poses` poses."""
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=poses,
    )
    capture, frames = cv2.VideoCapture(str(video)), 0
    started = time.perf_counter()
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            landmarker.detect_for_video(image, int(frames * 1000 / FPS))
            frames += 1
    return frames / (time.perf_counter() - started)


def identity(run: Run, scene: Scene) -> tuple[int, float, float]:
    """(frames played from the other person, share of the client's visible frames not followed,
    seconds to find the client again after the hidden part; NaN: nothing hidden)."""
    client = np.array([s.seen is Seen.CLIENT for s in run.samples])
    x = np.array(
        [
            float(s.pose.image[TORSO, 0].mean()) if s.pose is not None else np.nan
            for s in run.samples
        ]
    )
    wrong = int((client & (x > scene.split)).sum())
    visible = np.ones(len(client), dtype=bool)
    visible[scene.hidden[0] : scene.hidden[1]] = False
    missed = float(1.0 - client[visible].mean())
    back = np.nan
    if scene.hidden[1] > scene.hidden[0] and scene.hidden[1] < len(client):
        after = np.flatnonzero(client[scene.hidden[1] :])
        back = after[0] / FPS if after.size else np.inf
    return wrong, missed, back


ROOMS = {
    "side by side": {},
    "client hidden 0.3 s": {"hidden": (60, 69)},
    "client hidden 1 s": {"hidden": (60, 90)},
    "second person enters halfway": {"other_from": 75},
    "someone else stands in (1.4x nearer)": {"stand_in": 60},
}


def one_person_rows() -> list[str]:
    rows = []
    for name in ("lite", "full"):
        model = model_named(name)
        for clip in ONE_PERSON:
            base, follow = alternately(media_dir() / clip, model)
            change = 100 * (follow.steady / base.steady - 1)
            rows.append(
                f"| {clip.removesuffix('.mp4')} | {name} | {base.steady:.1f} ({base.fps:.1f}) | "
                f"{follow.steady:.1f} ({follow.fps:.1f}) | {change:+.1f}% | "
                f"{'met' if change >= -5 else 'MISSED'} |"
            )
            print(rows[-1], flush=True)
    return rows


def room_rows(folder: Path) -> list[str]:
    rows, model = [], model_named("lite")
    for i, (name, kw) in enumerate(ROOMS.items()):
        scene = make_scene(media_dir(), folder / f"room{i}.mp4", **kw)  # type: ignore[arg-type]
        runs = [loop(scene.path, model, follow=True, who="left") for _ in range(ROUNDS)]
        fps = float(np.median([r.steady for r in runs]))
        wrong, missed, back = identity(runs[0], scene)
        again = "—" if np.isnan(back) else f"{back * 1000:.0f} ms"
        rows.append(f"| {name} | {fps:.1f} | {runs[0].scans} | {wrong} | {missed:.1%} | {again} |")
        print(rows[-1], flush=True)
    two = folder / "room0.mp4"
    duets = [loop(two, model, follow=True, people=2) for _ in range(ROUNDS)]
    both = np.array([[s.group[0].confidence.any() for s in r.samples] for r in duets])
    rows.append(
        f"| side by side, group play (`duet`: both followed) | "
        f"{np.median([r.steady for r in duets]):.1f} | {duets[0].scans} | — | "
        f"{1 - both.mean():.1%} (person 2) | — |"
    )
    print(rows[-1], flush=True)
    one, pair = bare_fps(two, model, 1), bare_fps(two, model, 2)
    rows.append(
        f"\nBare MediaPipe on the side-by-side room, lite: one pose {one:.1f} fps, "
        f"`num_poses=2` {pair:.1f} fps ({one / pair:.2f}x the cost)."
    )
    print(rows[-1], flush=True)
    return rows


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    with native_logs_to_file():
        single = one_person_rows()
        rooms = room_rows(folder)
    text = "\n".join(
        [
            "| clip (one person) | model | fps, one pose on the whole picture | fps, following "
            "the client | change (steady) | within 5% |",
            "|---|---|---|---|---|---|",
            *single,
            "",
            "| room (lite model, `--who left`) | fps | whole-picture searches | frames of the "
            "other person played | client's frames missed | found again after |",
            "|---|---|---|---|---|---|",
            *rooms,
        ]
    )
    print(text)
    if "--write-readme" in sys.argv[1:]:
        rewrite_readme("people", text)


if __name__ == "__main__":
    main()
