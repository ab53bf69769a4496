"""`motionmusic doctor` on this machine's real sound servers: a line per check, each failure with
its fix, and exit 1 only when a session could not run."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import NO_CAMERA, mm
from tests.test_desktop_sound import NO_JACK


def lines(stdout: str) -> dict[str, str]:
    """Each report line by what it checks ("sound", "JACK", ...)."""
    found = {}
    for line in stdout.splitlines():
        if line[:2] in ("✔ ", "✖ "):
            found[line[2:].split(":")[0].split()[0]] = line
    return found


def test_a_laptop_with_a_desktop_sound_server_and_no_jack(sound_server):
    ran = mm("doctor", env=NO_JACK)
    said = lines(ran.stdout)
    assert said["sound"].startswith("✔ sound: a quiet test tone played through portaudio, "
                                    "default output via system ALSA; heard ")  # fmt: skip
    assert said["pose"].startswith("✔ pose model:") and "verified" in said["pose"]
    assert said["data"].startswith("✔ data dir") and ": 700," in said["data"]
    assert said["JACK"].startswith("✖ JACK: none running") and said["JACK"].endswith("(optional)")
    assert "PortAudio outputs: 0 pulse, 1 default" in ran.stdout
    assert said["camera"].startswith("✖" if NO_CAMERA else "✔")
    assert ran.returncode == (1 if NO_CAMERA else 0), ran.stdout + ran.stderr
    assert "Traceback" not in ran.stderr


def test_a_studio_with_a_jack_server(jack_server):
    ran = mm("doctor")
    said = lines(ran.stdout)
    assert said["sound"].startswith("✔ sound: a quiet test tone played through jack, system JACK")
    assert said["JACK"].startswith("✔ JACK server running: 48000 Hz, 256-frame periods")
    assert said["MIDI"].startswith("✔ MIDI: a virtual output opens (jack)")


def test_an_unusable_data_dir_is_said_with_its_fix(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    env = {**NO_JACK, "MOTIONMUSIC_MODEL": "", "MOTIONMUSIC_HOME": str(blocked)}
    ran = mm("doctor", env=env)
    said = lines(ran.stdout)
    assert ran.returncode == 1 and "Traceback" not in ran.stderr, ran.stderr
    assert said["pose"].startswith("✖ pose model: cannot keep motionmusic's files in")
    assert said["data"].startswith("✖ data dir: cannot keep motionmusic's files in")
    assert "set MOTIONMUSIC_HOME to a folder you own" in said["data"]


def test_a_laptop_with_no_sound_output_at_all_cannot_run_a_session(tmp_path: Path) -> None:
    env = {**NO_JACK, "PULSE_SERVER": "unix:/nonexistent/native"}
    ran = mm("doctor", env=env)
    assert ran.returncode == 1 and "Traceback" not in ran.stderr, ran.stderr
    assert lines(ran.stdout)["sound"] == (
        "✖ sound: no output found: start the desktop's sound server (or JACK), or plug in an "
        "audio device"
    )
