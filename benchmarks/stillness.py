"""The still-room suite's table: every shipped preset on every hard room of `tests/gallery.py`.

The same rooms, the same tracking and the same hearing as `tests/test_stillness.py` (48 pictures
held 5 s with fresh camera noise, tracked once per number of people followed, each preset played
as shipped and with its scale voices' range on a note boundary, the worse kept). A cell is the
glide voices' wobble in cents RMS / the scale voices' note changes, from a second after the
first sound; `~` where the engine said the tracking was unsteady, `—` where nothing sounded (no
body found), `!` where the promise (≤ 5 cents, no change) is broken. Below it, for the groups:
frames the client was not the client once found, and players who changed person.

Usage: stillness.py [--write-readme] (between the "stillness" markers of benchmarks/README.md).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import media_dir, model_path, publish  # noqa: E402

from motionmusic.native_output import native_logs_to_file  # noqa: E402
from motionmusic.store.preset_library import find_preset  # noqa: E402
from tests.cutouts import Segmenter  # noqa: E402
from tests.steadiness import hear, lapses, on_the_boundary, swaps  # noqa: E402
from tests.test_stillness import FOLLOWED, PRESETS, Room, track  # noqa: E402


def cell(room: Room, name: str) -> str:
    preset = find_preset(name)
    seen = room.for_preset(preset)
    both = [hear(played, seen) for played in (preset, on_the_boundary(preset, seen))]
    return max(both, key=lambda h: (not h.still, h.wobble)).cell()


def main() -> None:
    native_logs_to_file()
    started = time.monotonic()
    segmenter = Segmenter(model_path())
    from tests.gallery import gallery

    pictures = gallery(media_dir(), segmenter)
    segmenter.close()
    rooms = [track(picture, model_path(), seed) for seed, picture in enumerate(pictures)]
    lines = ["| room | " + " | ".join(PRESETS) + " |", "|---" * (len(PRESETS) + 1) + "|"]
    broken = 0
    for room in rooms:
        cells = [cell(room, name) for name in PRESETS]
        broken += sum("!" in c for c in cells)
        lines.append(f"| {room.picture.name} | " + " | ".join(cells) + " |")
    lines += ["", "| group | client not the client (frames) | " + " | ".join(
        f"players changing person, {n} followed" for n in FOLLOWED[1:]) + " |",
        "|---|---|" + "---|" * len(FOLLOWED[1:])]  # fmt: skip
    for room in (r for r in rooms if r.picture.people > 1):
        changes = [str(swaps(room.seen[n], room.picture.places)) for n in FOLLOWED[1:]]
        lines.append(
            f"| {room.picture.name} | {lapses(room.seen[1])} | " + " | ".join(changes) + " |"
        )
    lines.append(
        f"\n{len(rooms)} rooms x {len(PRESETS)} presets: {broken} not still "
        f"({time.monotonic() - started:.0f} s)"
    )
    publish("stillness", "\n".join(lines))


if __name__ == "__main__":
    main()
