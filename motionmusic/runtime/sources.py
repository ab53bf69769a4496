"""Turn what the user typed as SOURCE into a frame source and the pose estimator that goes with it.

SOURCE is a camera index ("0"), a camera name ("C920"), a video file, or a recorded trace
(`*.mmtrace`); a trace brings its own poses and needs no model.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import Source
from motionmusic.core.protocols import FeatureSource, FrameSource, PoseEstimator
from motionmusic.core.replay import TraceFeatures, TracePoses, TraceSource
from motionmusic.core.trace import SUFFIX, read_trace
from motionmusic.runtime.face_source import FaceSource
from motionmusic.runtime.hand_source import HandSource
from motionmusic.store import landmarker_models, pose_models
from motionmusic.store.landmarker_models import Kind

BUNDLED = ("dance_arms_raise_front", "head_tilt_webcam")


def bundled_trace(name: str = BUNDLED[0]) -> Path:
    """A short trace shipped inside the package (made from the clips in the project's test media)."""
    return Path(str(resources.files("motionmusic") / "data" / "traces" / f"{name}{SUFFIX}"))


@dataclass(frozen=True)
class DefaultSource:
    """What plays when no SOURCE is given."""

    spec: str
    demo: bool  # no camera: the bundled demo recording
    note: str | None = None  # what to tell the therapist


def default_source() -> DefaultSource:
    """The one policy, for every command: the first camera; with none, the bundled demo
    recording, said (a command that needs a person, as calibration does, refuses it)."""
    from motionmusic.adapters.camera_cv2 import list_cameras

    cameras = list_cameras()
    if cameras:
        return DefaultSource(str(cameras[0].index), demo=False)
    note = "no camera found: showing the bundled demo recording"
    return DefaultSource(str(bundled_trace()), demo=True, note=note)


def is_file_spec(spec: str) -> bool:
    return not spec.isdigit() and (Path(spec).suffix != "" or "/" in spec or Path(spec).exists())


def open_source(
    spec: str,
    stack: ExitStack,
    realtime: bool,
    model: str | None = None,
    loop: bool = False,
    preferred: str | None = None,
    notes: list[str] | None = None,
) -> tuple[FrameSource, PoseEstimator]:
    """Open SOURCE and its estimator; both are closed when `stack` closes. `loop` replays a
    trace forever (the demo). `model` is the user's choice (a name or a file), `preferred` the
    preset's (a name); what the user should know (another model than the preset's) is added to
    `notes`."""
    if is_file_spec(spec):
        path = Path(spec).expanduser()
        if not path.exists():
            raise MotionMusicError(f"no such file: {path}")
        if path.suffix == SUFFIX:
            trace = read_trace(path)
            source = TraceSource(trace, realtime, loop=loop)
            return stack.enter_context(_closing(source)), TracePoses(trace)
        from motionmusic.adapters.video_cv2 import VideoSource

        video = stack.enter_context(_closing(VideoSource(path, realtime)))  # a bad video first
        return video, _mediapipe(stack, model, preferred, notes)
    from motionmusic.adapters.camera_cv2 import CameraSource, resolve_camera

    camera = stack.enter_context(_closing(CameraSource(resolve_camera(spec))))
    return camera, _mediapipe(stack, model, preferred, notes)


def _mediapipe(
    stack: ExitStack, model: str | None, preferred: str | None, notes: list[str] | None
) -> PoseEstimator:
    from motionmusic.adapters.pose_mediapipe import MediaPipePose

    path = pose_models.resolve(model, preferred=preferred)
    note = None if model is not None else pose_models.substitute(preferred, path)
    if note is not None and notes is not None:
        notes.append(note)
    return stack.enter_context(MediaPipePose(path, name=pose_models.describe(path)))


def open_parts(
    source: FrameSource, stack: ExitStack, needs: frozenset[Source]
) -> dict[Source, FeatureSource]:
    """The face and hand sources a preset plays (`needs`): their models on the source's pixels
    (closed when `stack` closes), or for a recorded trace the features it holds. A missing or
    damaged model is one line saying how to get it."""
    parts: dict[Source, FeatureSource] = {}
    for part in ("face", "hand"):
        if part in needs:
            parts[part] = _part(source, stack, part)
    return parts


def _part(source: FrameSource, stack: ExitStack, part: Kind) -> FeatureSource:
    if isinstance(source, TraceSource):
        return TraceFeatures(source.trace, part)
    path = landmarker_models.resolve(part)
    name = landmarker_models.describe(part, path)
    if part == "face":
        from motionmusic.adapters.face_mediapipe import MediaPipeFace

        return FaceSource(stack.enter_context(MediaPipeFace(path, name=name)))
    from motionmusic.adapters.hand_mediapipe import MediaPipeHand

    return HandSource(stack.enter_context(MediaPipeHand(path, name=name)))


class _closing:
    """Context manager closing anything with `close()` (sources have no `__exit__` of their own)."""

    def __init__(self, thing: FrameSource) -> None:
        self.thing = thing

    def __enter__(self) -> FrameSource:
        return self.thing

    def __exit__(self, *exc: object) -> None:
        self.thing.close()
