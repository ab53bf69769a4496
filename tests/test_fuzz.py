"""Whatever is in a file the app reads — a trace, a profile, a preset, a keymap — it answers with
one line naming the file (and the field), never a traceback.

Hypothesis damages real files: random bytes overwritten, the tail cut, TOML values replaced by
values of other types, keys dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import load_preset
from motionmusic.core.profile import parse_profile
from motionmusic.core.summary import summarise
from motionmusic.core.trace import read_trace
from motionmusic.runtime.sources import bundled_trace
from motionmusic.tui.app import load_keymap

ROOT = Path(__file__).parent.parent
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(-5, 5), max_size=3),
)
PROFILE = """client = "F1"
created = "2026-11-01T10:00:00+00:00"
preset = "theremin"
notes = ""

[angles.right_shoulder_flexion]
target = 110.0
gain = 1.0
[angles.right_shoulder_flexion.range]
rest = 20.0
reach = 150.0
"""


def one_line(error: MotionMusicError, names: str) -> None:
    text = str(error)
    assert "\n" not in text.strip() and names in text, text


def damaged(data: bytes, hits: list[tuple[int, int]], cut: int) -> bytes:
    out = bytearray(data[: max(len(data) - cut, 0)])
    for where, value in hits:
        if out:
            out[where % len(out)] = value
    return bytes(out)


def toml_like(data: dict[str, Any]) -> str:
    """A small TOML writer (tomllib reads only): enough for the fuzzed tables."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif value is not None:
            lines.append(f"{key} = {_value(value)}")
    for key, value in tables:
        lines.append(f"[{key}]")
        lines += [f"{k} = {_value(v)}" for k, v in value.items() if not isinstance(v, dict)]
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def mutated(original: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """`original` with some values replaced by others of any type, and some keys dropped."""
    out: dict[str, Any] = {}
    for key, value in original.items():
        if data.draw(st.integers(0, 9)) == 0:
            continue
        if isinstance(value, dict):
            out[key] = mutated(value, data)
        elif data.draw(st.integers(0, 3)) == 0:
            out[key] = data.draw(SCALARS)
        else:
            out[key] = value
    return out


@FUZZ
@given(hits=st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), max_size=40),
       cut=st.integers(0, 5000))  # fmt: skip
def test_a_damaged_trace_reads_or_is_one_line(tmp_path_factory, hits, cut):
    path = tmp_path_factory.mktemp("trace") / "damaged.mmtrace"
    path.write_bytes(damaged(bundled_trace().read_bytes(), hits, cut))
    try:
        trace = read_trace(path)
    except MotionMusicError as exc:
        one_line(exc, str(path))
        return
    for i in range(len(trace)):  # what reads, replays and is summarised
        trace.pose(i, 0)
    list(trace.angles())
    try:
        summarise(trace)
    except MotionMusicError as exc:  # nothing left to summarise: said in one line
        one_line(exc, str(path))


@FUZZ
@given(data=st.data())
def test_a_damaged_profile_is_one_line_naming_the_field(data):
    fuzzed = mutated(tomllib.loads(PROFILE), data)
    try:
        parse_profile(toml_like(fuzzed), "profile.toml")
    except MotionMusicError as exc:
        one_line(exc, "profile.toml")


@FUZZ
@given(data=st.data(), name=st.sampled_from(["theremin", "duet", "calm-pad", "head-turn"]))
def test_a_damaged_preset_is_one_line_naming_the_file_and_field(tmp_path_factory, data, name):
    original = tomllib.loads((ROOT / "presets" / f"{name}.toml").read_text())
    voices = original.pop("voices")
    path = tmp_path_factory.mktemp("preset") / f"{name}.toml"
    text = toml_like(mutated(original, data))
    for voice in voices:
        text += "[[voices]]\n" + toml_like(mutated(voice, data)).replace("\n[", "\n[voices.")
    path.write_text(text)
    try:
        load_preset(path)
    except MotionMusicError as exc:
        one_line(exc, str(path))


@FUZZ
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_a_damaged_keymap_is_one_line(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("keymap") / "keymap.toml"
    path.write_bytes(raw)
    try:
        keymap = load_keymap(path)
    except MotionMusicError as exc:
        one_line(exc, str(path))
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in keymap.items())


@pytest.mark.parametrize(
    "text",
    ["keymap = 3", "[keymap]\nmute = 5", 'mute = ["f9"]', "\x00", 'mute = "f9"\nmute = "f8"'],
)
def test_keymaps_that_make_no_sense_are_one_line(tmp_path, text):
    path = tmp_path / "keymap.toml"
    path.write_text(text)
    with pytest.raises(MotionMusicError) as caught:
        load_keymap(path)
    one_line(caught.value, str(path))
