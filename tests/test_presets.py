"""Presets: shipped ones valid, schema fresh, every bad preset a clear one-line error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import tomli_w
import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import json_schema, load_preset, recorded_preset
from motionmusic.store.preset_library import find_preset, preset_path, shipped

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_presets_are_valid_and_explained():
    names = {p.stem for p in shipped()}
    assert len(names) >= 8
    assert {"theremin", "arm-raise-pentatonic", "head-turn", "head-turn-drone"} <= names
    assert {"two-arm-duet", "tiny-movement", "one-sided-left", "elbow-swells", "calm-pad"} <= names
    for path in shipped():
        preset = load_preset(path)
        assert preset.name == path.stem and preset.description and len(preset.rationale) > 80
        # who it is for, what it trains, what the therapist should watch
        assert all(part in preset.rationale for part in ("For:", "Trains:", "Watch:")), path


def test_presets_reach_the_installed_package():
    assert preset_path("theremin").read_text() == (ROOT / "presets" / "theremin.toml").read_text()


def test_json_schema_is_fresh():
    assert (ROOT / "presets" / "schema.json").read_text() == json_schema(), (
        "run: motionmusic presets schema > presets/schema.json"
    )


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "custom.toml"
    path.write_text(tomli_w.dumps(data))
    return path


BASE = tomllib.loads((ROOT / "presets" / "theremin.toml").read_text())


def _with(change) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["synth"].update(master=1.5), ["synth.master", "less than or equal to 1"]),
        (
            lambda d: d["voices"][0]["pitch"].update(scale="klezmer"),
            ["voices[0].pitch.scale", "major_pentatonic"],
        ),
        (
            lambda d: d["voices"][0]["pitch"].update(feature="tail_wag"),
            ["voices[0].pitch.feature", "head_yaw"],
        ),
        (lambda d: d["voices"][0]["pitch"].update(root="H4"), ["voices[0].pitch.root", "pattern"]),
        (lambda d: d["voices"][0].update(instrument="kazoo"), ["voices[0].instrument", "theremin"]),
        (lambda d: d["voices"][0].update(volumme={}), ["voices[0].volumme", "Extra inputs"]),
        (
            lambda d: d["voices"][0]["pitch"].update(input=[10, 10]),
            ["voices[0].pitch.input", "must differ"],
        ),
        (lambda d: d.update(voices=[]), ["voices", "at least 1"]),
        (lambda d: d.update(schema_version=7), ["schema_version", "1"]),
        (lambda d: d["voices"][0].update(instrument="mallet"), ["voices[0]", "trigger"]),
        (lambda d: d.pop("name"), ["name", "Field required"]),
        (lambda d: d.update({"\n": False}), ["['\\n']", "Extra inputs"]),  # found by fuzzing
    ],
)
def test_bad_preset_names_file_field_and_allowed_values(tmp_path, change, words):
    path = _write(tmp_path, _with(change))
    with pytest.raises(MotionMusicError) as error:
        load_preset(path)
    message = str(error.value)
    assert str(path) in message and "\n" not in message
    for word in words:
        assert word in message


def test_broken_toml_and_missing_file(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text("name = 'unterminated")
    with pytest.raises(MotionMusicError, match="not valid TOML"):
        load_preset(bad)
    with pytest.raises(MotionMusicError, match="no such preset file"):
        find_preset(str(tmp_path / "absent.toml"))
    with pytest.raises(MotionMusicError, match=r"no preset named 'nope'.*theremin"):
        find_preset("nope")


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(-5, 500), max_size=3),
)


def _mutate(data, draw, depth=0):
    """Replace, drop or add one key somewhere in the preset tree."""
    if isinstance(data, dict) and data:
        key = draw(st.sampled_from(sorted(data)))
        action = draw(st.sampled_from(["replace", "drop", "add", "descend"]))
        if action == "replace":
            data[key] = draw(LEAVES)
        elif action == "drop":
            del data[key]
        elif action == "add":
            data[draw(st.text(min_size=1, max_size=8))] = draw(LEAVES)
        else:
            _mutate(data[key], draw, depth + 1)
    elif isinstance(data, list) and data:
        index = draw(st.integers(0, len(data) - 1))
        _mutate(data[index], draw, depth + 1)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_fuzzed_presets_never_crash(tmp_path, data):
    preset = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(preset, data.draw)
    path = tmp_path / "fuzz.toml"
    try:
        path.write_text(tomli_w.dumps(preset))
    except (TypeError, ValueError):
        path.write_text(str(preset))  # not even TOML: must still be a clean error
    try:
        load_preset(path)
    except MotionMusicError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)


def test_a_log_from_before_the_rest_hold_is_summarised_with_the_filter_it_was_played_with():
    played = find_preset("theremin").model_dump()
    del played["smoothing"]["method"]  # how wave-1 logs recorded their preset
    assert recorded_preset(played).smoothing.method == "one_euro"
    assert recorded_preset(find_preset("theremin").model_dump()).smoothing.method == "rest_hold"
