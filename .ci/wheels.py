"""CI: does `pip install motionmusic` find a wheel for every dependency on a therapist's laptop?

Resolved, not run: for each platform and Python below, pip resolves the project's dependencies
(their markers evaluated for that platform, which pip itself does not do for `--platform`) with
`--only-binary=:all:`, so a dependency that would need a compiler there fails the check. The
`midi` extra (python-rtmidi) is checked where it has wheels (Python 3.11 and 3.12); without it a
session plays and `doctor` says MIDI is not installed. Intel Macs and Linux on ARM are not
supported: pyo 1.1 has no wheel for them.

Run: .venv/bin/python .ci/wheels.py (needs PyPI).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

LINUX = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
         "manylinux2014_x86_64"]  # glibc 2.28 and older: Debian 10+, Ubuntu 20.04+, Fedora  # fmt: skip
PLATFORMS = {  # pip's tags (it takes each as given), and the marker values of such a machine
    "macOS arm64": (["macosx_14_0_arm64"], {"sys_platform": "darwin", "platform_machine": "arm64"}),
    "Windows amd64": (["win_amd64"], {"sys_platform": "win32", "platform_machine": "AMD64"}),
    "Linux x86_64": (LINUX, {"sys_platform": "linux", "platform_machine": "x86_64"}),
}
PYTHONS = ("3.11", "3.12", "3.13")
MIDI_WHEELS = {"3.11", "3.12"}  # python-rtmidi's wheels (3.13: built, with a compiler)


def requirements(extra: str | None, machine: dict[str, str], python: str) -> list[str]:
    """The project's dependencies (and `extra`'s) that apply on `machine` with `python`."""
    project = tomllib.loads(Path(__file__).parents[1].joinpath("pyproject.toml").read_text())
    names = list(project["project"]["dependencies"])
    if extra:
        names += project["project"]["optional-dependencies"][extra]
    environment = {**machine, "python_version": python, "python_full_version": f"{python}.0"}
    chosen = []
    for text in names:
        wanted = Requirement(text)
        if wanted.marker is None or wanted.marker.evaluate(environment):
            wanted.marker = None
            chosen.append(str(wanted))
    return chosen


def resolves(tags: list[str], python: str, wanted: list[str]) -> tuple[bool, str]:
    platforms = [option for tag in tags for option in ("--platform", tag)]
    with tempfile.TemporaryDirectory() as target:
        ran = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
             "--only-binary=:all:", *platforms, "--python-version", python,
             "--target", target, *wanted],
            capture_output=True, text=True,
        )  # fmt: skip
    errors = [line for line in ran.stderr.splitlines() if line.startswith("ERROR")]
    return ran.returncode == 0, "; ".join(errors)


def main() -> int:
    failed = 0
    for name, (tags, machine) in PLATFORMS.items():
        for python in PYTHONS:
            for extra in [None, "midi"] if python in MIDI_WHEELS else [None]:
                ok, why = resolves(tags, python, requirements(extra, machine, python))
                label = f"{name}, Python {python}" + (" with [midi]" if extra else "")
                print(f"{'✔' if ok else '✖'} {label}: {'every dependency a wheel' if ok else why}")
                failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
