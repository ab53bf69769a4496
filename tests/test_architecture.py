"""The core stays pure, and the landmark mirror matches MediaPipe's own names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from motionmusic.core.landmarks import Landmark

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def loaded(packages: tuple[str, ...], libraries: tuple[str, ...]) -> set[str]:
    """Which of `libraries` a fresh interpreter has loaded after importing every module of
    `packages`."""
    code = (
        "import pkgutil, importlib, sys\n"
        f"for name in {packages!r}:\n"
        "    package = importlib.import_module(name)\n"
        "    for m in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(name + '.' + m.name)\n"
        f"print(' '.join(n for n in {libraries!r} if n in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_core_imports_no_heavy_library():
    heavy = ("textual", "cv2", "mediapipe", "pyo", "rich", "click", "aiohttp", "mido", "rtmidi")
    assert loaded(("motionmusic.core",), heavy) == set()


def test_landmark_mirror_matches_mediapipe():
    from mediapipe.tasks.python.vision import PoseLandmark

    assert {lm.name: lm.value for lm in Landmark} == {lm.name: lm.value for lm in PoseLandmark}


def test_the_wheel_ships_presets_demo_traces_and_the_ui_stylesheet(tmp_path):
    """Users who pip-install get the shipped presets, the bundled traces and the UI's stylesheet,
    not only the code."""
    import shutil
    import zipfile

    source = tmp_path / "src"  # build a copy: building in place would leave build/ in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    for name in ("motionmusic", "presets"):
        shutil.copytree(
            ROOT / name, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    for wanted in (
        "motionmusic/presets/theremin.toml",
        "motionmusic/presets/schema.json",
        "motionmusic/data/traces/dance_arms_raise_front.mmtrace",
        "motionmusic/tui/app.tcss",
    ):
        assert wanted in names


def test_the_loop_process_never_loads_the_ui_or_the_synth_library():
    """Every runtime and store module imported: no Textual (the UI) and no pyo (the synth runs
    in its own process), so the loop's process cannot starve audio or draw on the screen."""
    assert loaded(("motionmusic.runtime", "motionmusic.store"), ("textual", "pyo")) == set()
