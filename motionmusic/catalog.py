"""Where presets come from: a path, or a name from the shipped library (`presets/` in the repo,
`motionmusic/presets` in the installed package)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import Preset, load_preset


def library() -> Path:
    return Path(str(resources.files("motionmusic") / "presets"))


def shipped() -> list[Path]:
    return sorted(library().glob("*.toml"))


def preset_path(spec: str) -> Path:
    """A preset file from a path or a shipped preset's name."""
    path = Path(spec).expanduser()
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise MotionMusicError(f"no such preset file: {path}")
        return path
    named = library() / f"{spec}.toml"
    if not named.is_file():
        names = ", ".join(p.stem for p in shipped())
        raise MotionMusicError(f"no preset named {spec!r} (shipped: {names})")
    return named


def find_preset(spec: str) -> Preset:
    return load_preset(preset_path(spec))
