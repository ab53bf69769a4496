"""Where presets come from: a path, a name the therapist saved (user presets, in the user data
dir), or a name from the shipped library (`presets/` in the repo, `motionmusic/presets` in the
installed package). A user preset of the same name comes first: that is the therapist's tuning."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import Preset, load_preset
from motionmusic.paths import data_dir


def library() -> Path:
    return Path(str(resources.files("motionmusic") / "presets"))


def shipped() -> list[Path]:
    return sorted(library().glob("*.toml"))


def user_presets() -> Path:
    path = data_dir() / "presets"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def available() -> list[Path]:
    """Every preset by name: the therapist's own, then the shipped ones not overridden."""
    own = sorted(user_presets().glob("*.toml"))
    names = {p.stem for p in own}
    return own + [p for p in shipped() if p.stem not in names]


def save_preset(preset: Preset) -> Path:
    """Store a preset (validated, as TOML) among the user presets under its name."""
    import tomli_w

    from motionmusic.store.clients import write_private

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}", preset.name):
        raise MotionMusicError(f"cannot save preset {preset.name!r}: use letters, digits, - or _")
    data = preset.model_dump(mode="json", exclude_none=True)
    path = user_presets() / f"{preset.name}.toml"
    write_private(path, tomli_w.dumps(data).encode())
    return path


def preset_path(spec: str) -> Path:
    """A preset file from a path or a shipped preset's name."""
    path = Path(spec).expanduser()
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise MotionMusicError(f"no such preset file: {path}")
        return path
    named = next((p for p in available() if p.stem == spec), library() / f"{spec}.toml")
    if not named.is_file():
        names = ", ".join(p.stem for p in available())
        raise MotionMusicError(f"no preset named {spec!r} (shipped: {names})")
    return named


def find_preset(spec: str) -> Preset:
    return load_preset(preset_path(spec))


def next_preset(current: str) -> Preset:
    """The preset after `current` by name, round to the first (a switch's "next preset")."""
    names = sorted(path.stem for path in available())
    later = [name for name in names if name > current]
    return find_preset(later[0] if later else names[0])
