"""Pose model bundles: find one, fetch the official one, import one from elsewhere, verify.

Resolution order: `--model` (a path, or the name of an installed bundle: lite, full, heavy), then a
preset's choice (a name; when it is not installed, the preset plays on the model that is, and says
so), then `$MOTIONMUSIC_MODEL`, then the user data dir (any installed bundle, full first). A
download is refused unless its sha256 is the official one pinned here. Every load verifies that
the file is a complete `.task` bundle (a zip holding the detector and landmark TFLite models, CRCs
intact) and, for bundles in the store, that its sha256 still matches the one recorded when it was
installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from motionmusic import paths
from motionmusic.core.errors import MotionMusicError
from motionmusic.store.clients import write_private_text

VARIANTS = ("full", "lite", "heavy")
BASE_URL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker"
REQUIRED = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
OFFICIAL_SHA256 = {
    "full": "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad",
}
"""The official bundles as Google serves them (float16/latest). Lite's and heavy's were not
reachable from the machine this was written on: they are downloaded unpinned, and `model fetch`
says so and prints the hash it got."""
LANDMARKS = "pose_landmarks_detector.tflite"
LANDMARKS_MB = {"lite": (2, 4), "full": (5, 8), "heavy": (20, 40)}
"""The size of each variant's landmark model in MB (2.8, 6.4 and 27.7 in the official bundles):
what tells a renamed bundle's variant."""
Progress = Callable[[int, int | None], None]
"""Called with (bytes so far, total bytes or None)."""


def model_url(variant: str) -> str:
    base = os.environ.get("MOTIONMUSIC_MODEL_BASE_URL", BASE_URL)
    name = f"pose_landmarker_{variant}"
    return f"{base}/{name}/float16/latest/{name}.task"


def store_path(variant: str) -> Path:
    return paths.models_dir() / f"pose_landmarker_{variant}.task"


def _sha_path(model: Path) -> Path:
    return model.with_suffix(".sha256")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path) -> Path:
    """Raise a one-line `MotionMusicError` unless `path` is a complete, unaltered pose bundle."""
    if not path.is_file():
        raise MotionMusicError(f"pose model not found: {path}")
    try:
        with zipfile.ZipFile(path) as bundle:
            missing = [name for name in REQUIRED if name not in bundle.namelist()]
            damaged = bundle.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise MotionMusicError(f"pose model {path} is corrupt or truncated ({exc})") from exc
    if missing or damaged:
        raise MotionMusicError(
            f"pose model {path} is not a pose landmarker bundle ({', '.join(missing) or damaged})"
        )
    recorded = _sha_path(path)
    if recorded.is_file() and json.loads(recorded.read_text())["sha256"] != sha256(path):
        raise MotionMusicError(
            f"pose model {path} changed since it was installed (sha256 mismatch)"
        )
    return path


def installed() -> list[str]:
    """The names of the bundles in the user data dir, full first."""
    return [name for name in VARIANTS if store_path(name).is_file()]


def is_name(spec: str | Path) -> bool:
    """True for a bundle's name ("lite"), False for anything that looks like a file."""
    text = str(spec)
    return "/" not in text and "." not in text and not Path(text).exists()


def by_name(name: str) -> Path:
    """An installed bundle by name; one line naming the installed ones when it is not there."""
    have = ", ".join(installed()) or "none installed"
    if name not in VARIANTS:
        raise MotionMusicError(
            f"unknown pose model {name!r}: give a .task file or an installed name ({have})"
        )
    if not store_path(name).is_file():
        raise MotionMusicError(
            f"the {name} pose model is not installed ({have}): run `motionmusic model fetch "
            f"{name}` (or `motionmusic model import PATH --variant {name}`)"
        )
    return verify(store_path(name))


def resolve(
    explicit: str | Path | None = None, variant: str | None = None, preferred: str | None = None
) -> Path:
    """The model to load, verified; one line naming the fix when there is none.

    `explicit` is what the user gave (`--model`: a path or a name), `preferred` a preset's choice
    (a name), `variant` what `model fetch --if-missing` asks about."""
    if explicit is not None:
        return by_name(str(explicit)) if is_name(explicit) else verify(Path(explicit))
    if preferred is not None and store_path(preferred).is_file():
        return by_name(preferred)
    env = os.environ.get("MOTIONMUSIC_MODEL")
    if env:
        return verify(Path(env))
    for name in (variant,) if variant else VARIANTS:
        if store_path(name).is_file():
            return verify(store_path(name))
    want = variant or "full"
    raise MotionMusicError(
        f"no pose model installed: run `motionmusic model fetch {want}` "
        "(or `motionmusic model import PATH` on an offline machine)"
    )


def substitute(preferred: str | None, chosen: Path) -> str | None:
    """What to say when a preset's model is not the one that plays (None when it is)."""
    if preferred is None or chosen == store_path(preferred):
        return None
    return (
        f"the preset prefers the {preferred} pose model, which is not installed: playing on "
        f"{describe(chosen)} (`motionmusic model fetch {preferred}` installs it)"
    )


def infer_variant(path: Path) -> str:
    """Which variant a bundle is: the official hash, else the size of its landmark model (a file
    renamed on a USB stick is still recognised); one line when it is none of them. `path` is
    verified already."""
    digest = sha256(path)
    for variant, official in OFFICIAL_SHA256.items():
        if digest == official:
            return variant
    with zipfile.ZipFile(path) as bundle:
        megabytes = bundle.getinfo(LANDMARKS).file_size / 1e6
    for variant, (low, high) in LANDMARKS_MB.items():
        if low <= megabytes < high:
            return variant
    raise MotionMusicError(
        f"cannot tell which pose model {path} is ({megabytes:.1f} MB landmark model): "
        "give --variant lite, full or heavy"
    )


def describe(path: Path) -> str:
    """How a session log names the model it was tracked with: the bundle's name when it is one
    of the official ones (recorded at install, or its file name), with the start of its hash."""
    recorded = _sha_path(path)
    if recorded.is_file():
        info = json.loads(recorded.read_text())
        return f"{info.get('variant', path.stem)} ({info['sha256'][:12]})"
    name = path.stem.removeprefix("pose_landmarker_")
    return f"{name} ({sha256(path)[:12]})"


def _install(tmp: Path, variant: str, pinned: bool = False) -> Path:
    """Verify a downloaded/copied file, record its hash, and move it into place atomically;
    `pinned`: refuse anything but the official bundle."""
    verify(tmp)
    official = OFFICIAL_SHA256.get(variant)
    if pinned and official is not None and (got := sha256(tmp)) != official:
        raise MotionMusicError(
            f"the downloaded {variant} pose model is not the official bundle (sha256 {got[:12]}…,"
            f" expected {official[:12]}…): nothing installed"
        )
    target = store_path(variant)
    record = json.dumps({"sha256": sha256(tmp), "variant": variant})
    write_private_text(_sha_path(target), record)
    os.replace(tmp, target)
    return target


def _temp_in_store(variant: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{variant}-", suffix=".part", dir=paths.models_dir())
    os.close(fd)
    return Path(name)


def fetch(variant: str, progress: Progress | None = None, timeout: float = 30.0) -> Path:
    """Download the official bundle; a failed or partial download leaves nothing behind."""
    tmp = _temp_in_store(variant)
    try:
        download(model_url(variant), tmp, f"the {variant} pose model", progress, timeout)
        return _install(tmp, variant, pinned=True)
    finally:
        tmp.unlink(missing_ok=True)


def download(url: str, into: Path, what: str, progress: Progress | None, timeout: float) -> None:
    """Fetch `url` into the file `into`; a failure is one line naming `what`."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, into.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            while chunk := response.read(1 << 16):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise MotionMusicError(f"cannot download {what}: {reason}") from exc


def import_bundle(source: Path, variant: str | None = None) -> Path:
    """Install a bundle obtained elsewhere (offline clinics), verified first; its variant is
    told from the bundle unless given."""
    verify(source)
    variant = variant or infer_variant(source)
    tmp = _temp_in_store(variant)
    try:
        shutil.copyfile(source, tmp)
        return _install(tmp, variant)
    finally:
        tmp.unlink(missing_ok=True)
