"""The face and hand model bundles: Google's official `face_landmarker.task` and
`hand_landmarker.task`, fetched with their sha256 pinned, or imported from elsewhere.

Resolution: `$MOTIONMUSIC_FACE_MODEL` / `$MOTIONMUSIC_HAND_MODEL`, else the bundle installed in the
user data dir. Every load verifies that the file is a complete bundle of that kind; a missing or
damaged one is one line that says how to get it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

from motionmusic import paths
from motionmusic.core.errors import MotionMusicError
from motionmusic.store.clients import write_private_text
from motionmusic.store.pose_models import Progress, download, sha256

Kind = Literal["face", "hand"]
KINDS: tuple[Kind, ...] = ("face", "hand")
BASE_URL = "https://storage.googleapis.com/mediapipe-models"
OFFICIAL_SHA256: dict[Kind, str] = {
    "face": "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
    "hand": "fbc2a30080c3c557093b5ddfc334698132eb341044ccee322ccf8bcf3607cde1",
}
"""The official float16/1 bundles (../shared/models/README.md gives their provenance)."""
REQUIRED: dict[Kind, tuple[str, ...]] = {
    "face": ("face_detector.tflite", "face_landmarks_detector.tflite", "face_blendshapes.tflite"),
    "hand": ("hand_detector.tflite", "hand_landmarks_detector.tflite"),
}
ENV: dict[Kind, str] = {"face": "MOTIONMUSIC_FACE_MODEL", "hand": "MOTIONMUSIC_HAND_MODEL"}


def model_url(kind: Kind) -> str:
    base = os.environ.get("MOTIONMUSIC_MODEL_BASE_URL", BASE_URL)
    name = f"{kind}_landmarker"
    return f"{base}/{name}/{name}/float16/1/{name}.task"


def store_path(kind: Kind) -> Path:
    return paths.models_dir() / f"{kind}_landmarker.task"


def kind_of(path: Path) -> Kind | None:
    """Which landmarker a bundle is, told from the models inside it (None: neither)."""
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    return next((kind for kind in KINDS if set(REQUIRED[kind]) <= names), None)


def _get_it(kind: Kind) -> str:
    return f"motionmusic model fetch {kind}, or motionmusic model import PATH"


def verify(kind: Kind, path: Path) -> Path:
    """Raise a one-line `MotionMusicError` unless `path` is a complete bundle of `kind`."""
    if not path.is_file():
        raise MotionMusicError(f"{kind} model not found: {path} ({_get_it(kind)})")
    try:
        with zipfile.ZipFile(path) as bundle:
            missing = [name for name in REQUIRED[kind] if name not in bundle.namelist()]
            damaged = bundle.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise MotionMusicError(
            f"{kind} model {path} is corrupt or truncated ({exc}): {_get_it(kind)}"
        ) from exc
    if missing or damaged:
        what = ", ".join(missing) or f"{damaged} damaged"
        raise MotionMusicError(
            f"{path} is not a {kind} landmarker bundle ({what}): {_get_it(kind)}"
        )
    return path


def resolve(kind: Kind) -> Path:
    """The bundle to load, verified."""
    named = os.environ.get(ENV[kind])
    if named:
        return verify(kind, Path(named).expanduser())
    path = store_path(kind)
    if not path.exists():
        raise MotionMusicError(f"no {kind} model installed: {_get_it(kind)}")
    return verify(kind, path)


def describe(kind: Kind, path: Path) -> str:
    """How logs name the model: its kind and the start of its sha256."""
    return f"{kind} ({sha256(path)[:12]})"


def _install(kind: Kind, tmp: Path, pinned: bool) -> Path:
    verify(kind, tmp)
    got = sha256(tmp)
    if pinned and got != OFFICIAL_SHA256[kind]:
        raise MotionMusicError(
            f"the downloaded {kind} model is not the official bundle (sha256 {got[:12]}…, "
            f"expected {OFFICIAL_SHA256[kind][:12]}…): nothing installed"
        )
    target = store_path(kind)
    record = json.dumps({"sha256": got, "variant": kind})
    write_private_text(target.with_suffix(".sha256"), record)
    os.replace(tmp, target)
    return target


def _temp(kind: Kind) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{kind}-", suffix=".part", dir=paths.models_dir())
    os.close(fd)
    return Path(name)


def fetch(kind: Kind, progress: Progress | None = None, timeout: float = 30.0) -> Path:
    """Download the official bundle; refused unless its sha256 is the pinned one."""
    tmp = _temp(kind)
    try:
        download(model_url(kind), tmp, f"the {kind} model", progress, timeout)
        return _install(kind, tmp, pinned=True)
    finally:
        tmp.unlink(missing_ok=True)


def import_bundle(kind: Kind, source: Path) -> Path:
    """Install a bundle copied from elsewhere, verified first."""
    verify(kind, source)
    tmp = _temp(kind)
    try:
        shutil.copyfile(source, tmp)
        return _install(kind, tmp, pinned=False)
    finally:
        tmp.unlink(missing_ok=True)
