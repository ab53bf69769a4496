"""Every shipped preset in the rooms a therapist really meets: nobody in view, a client who leaves
and comes back, a group of none, one or all. No crash, no sound from nobody.

The renders run as the `motionmusic render` command in a process of their own: a synth that
crashes (pyo's sine table once did, in a silent `circle`, at 2.98 s every run) fails its test
instead of taking the whole test run down with it.
"""

from __future__ import annotations

import csv
import itertools
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from motionmusic.adapters.synth_process import SynthProcess
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import read_trace
from motionmusic.store.preset_library import find_preset, shipped
from tests.audio import peak_dbfs
from tests.cutouts import Segmenter
from tests.gallery import Picture, chairs, frames, trio
from tests.loop import engine_for
from tests.test_cli import mm

pytestmark = pytest.mark.model
PRESETS = sorted(path.stem for path in shipped())
BODY_PRESETS = [name for name in PRESETS if "body" in find_preset(name).sources]
"""The presets a body plays: the rooms below are of bodies coming and going. A face or a hand
preset plays these rooms silently (nobody's face or hand gesture in them); its own rooms are in
`test_face_room` below and in tests/test_face.py and tests/test_hand.py."""
FPS = 30.0
SILENT_DB = -90.0


def write_video(path: Path, frames: list[np.ndarray]) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture(scope="module")
def empty_room(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 s of a plain grey wall through a webcam (camera noise, sigma 4): nobody in view. A silent
    `circle` crashed at 2.98 s; 2 s rendered fine."""
    rng = np.random.default_rng(5)
    frames = [
        np.clip(128 + rng.normal(0, 4, (360, 640, 3)), 0, 255).astype(np.uint8)
        for _ in range(int(6 * FPS))
    ]
    return write_video(tmp_path_factory.mktemp("rooms") / "empty.mp4", frames)


@pytest.mark.parametrize("name", PRESETS)
def test_an_empty_room_renders_silence_with_every_preset(
    name: str, empty_room: Path, model_path: Path, tmp_path: Path
) -> None:
    wav = tmp_path / f"{name}.wav"
    result = mm(
        "render", str(empty_room), "--preset", name, "--model", str(model_path), "--out", str(wav)
    )
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-500:]}"
    assert "Traceback" not in result.stderr
    assert _unseen(name) in result.stdout + result.stderr
    assert peak_dbfs(wav) < SILENT_DB


def _unseen(preset: str) -> str:
    """What is said when nobody is in view: the body, or the face or hand the preset plays."""
    sources = find_preset(preset).sources
    what = "client" if "body" in sources else min(sources)
    return f"{what} not in view"


WALL_S, IN_S, OUT_S = 1.0, 1.5, 1.0  # the wall, the client, the wall (she stepped out), the client


def spans() -> list[tuple[float, float, bool]]:
    """(start, end, client in view) of the comings-and-goings room, in seconds."""
    edges = np.cumsum([0.0, WALL_S, IN_S, OUT_S, IN_S])
    return [(a, b, i % 2 == 1) for i, (a, b) in enumerate(itertools.pairwise(edges))]


@pytest.fixture(scope="module")
def comings_and_goings(media_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty room, then the client (the dancer, moving), then the room empty again, then the
    client back: 5 s."""
    capture = cv2.VideoCapture(str(media_dir / "dance_arms_raise_front.mp4"))
    clip = []
    while (read := capture.read())[0]:
        clip.append(np.asarray(read[1], np.uint8))
    capture.release()
    rng = np.random.default_rng(6)
    frames = comings(clip)
    noisy = [np.clip(f + rng.normal(0, 4, f.shape), 0, 255).astype(np.uint8) for f in frames]
    return write_video(tmp_path_factory.mktemp("rooms") / "comings.mp4", noisy)


def comings(clip: list[np.ndarray]) -> list[np.ndarray]:
    """A plain wall while nobody is in view (`spans`), the clip, going on, while the client is."""
    wall = np.full_like(clip[0], 150)
    frames, i = [], 0
    for start, end, client in spans():
        for _ in range(round((end - start) * FPS)):
            frames.append(clip[i % len(clip)] if client else wall)
            i += client
    return frames


def presence(curves: Path, preset: str) -> np.ndarray:
    """Per frame, whether each of person 1's voices was sounding (1) or fading out (0)."""
    rows = list(csv.DictReader(curves.open()))
    names = [v.name for v in find_preset(preset).voices if v.person == 1]
    return np.array([[int(row[f"{name}_present"]) for name in names] for row in rows])


@pytest.mark.parametrize("name", BODY_PRESETS)
def test_a_client_who_leaves_and_comes_back_is_played_only_while_in_view(
    name: str, comings_and_goings: Path, model_path: Path, tmp_path: Path
) -> None:
    wav = tmp_path / f"{name}.wav"
    result = mm("render", str(comings_and_goings), "--preset", name, "--model", str(model_path),
                "--out", str(wav))  # fmt: skip
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-500:]}"
    assert "Traceback" not in result.stderr
    played = presence(wav.with_suffix(".controls.csv"), name)
    times = np.arange(len(played)) / FPS
    for start, end, client in spans():
        during = played[(times >= start + 0.5) & (times < end)]  # found, or faded, by then
        if client:
            assert during.mean() > 0.9, (start, during.mean())
        else:
            assert not during.any(), start
    said = result.stdout + result.stderr
    assert "client not in view" in said and "client back in view" in said


@pytest.fixture(scope="module")
def face_comings(media_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The comings and goings of a face: a wall, the webcam clip's head and shoulders, the wall,
    the head again (5 s)."""
    capture = cv2.VideoCapture(str(media_dir / "head_tilt_webcam.mp4"))
    clip: list[np.ndarray] = []
    while (read := capture.read())[0] and len(clip) < 90:
        clip.append(cv2.resize(np.asarray(read[1], np.uint8), (640, 427)))
    capture.release()
    return write_video(tmp_path_factory.mktemp("rooms") / "faces.mp4", comings(clip))


def test_a_face_that_leaves_and_comes_back_is_played_only_while_in_view(
    face_comings: Path, model_path: Path, tmp_path: Path
) -> None:
    """mouth-theremin, a face-only preset, on a face that goes and comes back: its voice fades
    while the face is away, and the screen says so."""
    wav = tmp_path / "mouth.wav"
    result = mm("render", str(face_comings), "--preset", "mouth-theremin", "--out", str(wav))
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-500:]}"
    played = presence(wav.with_suffix(".controls.csv"), "mouth-theremin")
    times = np.arange(len(played)) / FPS
    for start, end, client in spans():
        during = played[(times >= start + 0.5) & (times < end)]
        if client:
            assert during.mean() > 0.9, (start, during.mean())
        else:
            assert not during.any(), start
    said = result.stdout + result.stderr
    assert "face not in view" in said and "client back in view" in said


def test_every_preset_plays_the_comings_and_goings_on_jack_without_a_crash(
    comings_and_goings: Path, jack_server: object, model_path: Path, tmp_path: Path
) -> None:
    """Live, each preset's synth process on a real-time JACK server: nobody, the client, nobody,
    the client. The synth never dies, sounds while the client is in view and is silent (after
    the fade) while nobody is."""
    trace = tmp_path / "comings.mmtrace"
    tracked = mm("track", str(comings_and_goings), "--out", str(trace), "--model", str(model_path))
    assert tracked.returncode == 0, tracked.stderr
    loaded = read_trace(trace)
    for name in PRESETS:
        preset = find_preset(name)
        synth = SynthProcess(preset, "jack").start()
        try:
            engine = engine_for(
                TraceSource(loaded, realtime=True), TracePoses(loaded), preset, synth
            )
            engine.start()
            start, levels = time.monotonic(), []
            while engine.running:
                levels.append((time.monotonic() - start, 20 * np.log10(synth.peak + 1e-12)))
                time.sleep(0.02)
            assert synth.status().faults == 0 and synth.alive(), (name, synth.fault)
        finally:
            synth.close()
        heard, loudest = np.array(levels), []
        for begin, end, client in spans():
            during = heard[(heard[:, 0] >= begin + 0.6) & (heard[:, 0] < end), 1]
            if client:
                loudest.append(during.max())
            else:
                assert during.max() < -60, (name, begin, during.max())
        if name in BODY_PRESETS:  # a struck voice sounds when she moves
            assert max(loudest) > -45, (name, loudest)


def test_circle_plays_a_voice_for_each_of_four_people_side_by_side(
    media_dir: Path, model_path: Path, tmp_path: Path
) -> None:
    """The full circle: four people on chairs side by side (two of them in other clothes), each
    playing their own voice from the first second on."""
    segmenter = Segmenter(model_path)
    _, dancer, squats = trio(media_dir, segmenter)
    segmenter.close()
    room, _ = chairs(
        [dancer, squats, dancer.tinted((1.4, 0.8, 0.7)), squats.tinted((0.6, 1.2, 0.7))]
    )
    shot = [f.image for f in frames(Picture("4 on chairs", room, people=4), 3.0, 1)]
    video = write_video(tmp_path / "four.mp4", [image for image in shot if image is not None])
    wav = tmp_path / "circle.wav"
    result = mm("render", str(video), "--preset", "circle", "--model", str(model_path),
                "--out", str(wav))  # fmt: skip
    assert result.returncode == 0, result.stderr[-500:]
    rows = list(csv.DictReader(wav.with_suffix(".controls.csv").open()))
    settled = rows[int(FPS) :]
    for voice in find_preset("circle").voices:
        sounding = np.mean([int(row[f"{voice.name}_present"]) for row in settled])
        assert sounding > 0.9, (voice.name, sounding)
