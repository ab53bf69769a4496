"""The synth's audio output, chosen: `auto` tries a JACK server first (the lowest latency, and
what a studio or PipeWire offers), then PortAudio's default output (the desktop's sound server on
Linux, CoreAudio on macOS, WASAPI on Windows), else no sound, said, while the session goes on."""

from __future__ import annotations

from dataclasses import dataclass

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import Preset
from motionmusic.core.protocols import Synth, SynthFactory

BUFFER = 256  # frames: 5.3 ms at 48 kHz, the synth's audio buffer unless a command says
BACKENDS = ("jack", "portaudio")  # what auto tries, in order


@dataclass(frozen=True)
class AudioSettings:
    """Where the synth plays: one value from the command line to the synth process."""

    backend: str = "auto"  # auto, jack or portaudio
    device: int | None = None  # a PortAudio output (`motionmusic audio-devices`); None: default
    buffer: int = BUFFER  # frames per audio buffer
    # PortAudio's host API is the platform's, chosen in the synth process (adapters/synth_pyo.py)


def start_synth(
    preset: Preset, audio: AudioSettings, silent_ok: bool
) -> tuple[Synth, SynthFactory | None, str | None]:
    """The synth for `audio` ("auto" tries JACK, then PortAudio). With `silent_ok` (the demo) or
    "auto", no audio at all gives a silent synth and a warning instead of an error: the session,
    its log and its MIDI go on. An output asked for by name that does not open is an error."""
    from motionmusic.adapters.synth_process import SynthProcess
    from motionmusic.adapters.synth_silent import SilentSynth

    tried = list(BACKENDS) if audio.backend == "auto" else [audio.backend]
    problems = []
    for backend in tried:
        try:
            synth = SynthProcess(preset, backend, buffer=audio.buffer, device=audio.device)
            return synth.start(), SynthProcess.factory(backend, audio.buffer, audio.device), None
        except MotionMusicError as exc:
            problems.append(str(exc))
    if not silent_ok and audio.backend != "auto":
        raise MotionMusicError(problems[-1] if len(problems) == 1 else "; ".join(problems))
    return SilentSynth(), None, "NO AUDIO OUTPUT found (no JACK server, no PortAudio device)"
