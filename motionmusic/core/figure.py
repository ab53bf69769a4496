"""A stick figure of the upper body in Unicode braille, as the client would see it in a mirror.

Each character cell holds 2 x 4 dots, so a 30 x 12 cell figure is drawn on 60 x 48 dots. Only
landmarks the tracker trusts (visibility ≥ 0.5) are drawn; the picture is flipped left-right (a
mirror), and the client's own left and right hands are labelled `L` and `R`. Other people in view
are drawn dotted, where they stand beside the client, and the client is marked `▼ client`, so the
therapist sees whom the music follows. Pure text out: the terminal UI shows it, tests read it.
"""

from __future__ import annotations

import numpy as np

from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pose import PoseFrame

BONES = (
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW),
    (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.LEFT_SHOULDER, L.LEFT_HIP),
    (L.RIGHT_SHOULDER, L.RIGHT_HIP),
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_EAR, L.NOSE),
    (L.NOSE, L.RIGHT_EAR),
)
UPPER = sorted({i for bone in BONES for i in bone})
MIN_VISIBILITY = 0.5
# bit of each dot inside a braille cell, by (row, column)
BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]])


def _line(grid: np.ndarray, a: tuple[int, int], b: tuple[int, int], every: int = 1) -> None:
    steps = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
    t = np.linspace(0.0, 1.0, steps + 1)[::every]
    x = np.rint(a[0] + (b[0] - a[0]) * t).astype(int)
    y = np.rint(a[1] + (b[1] - a[1]) * t).astype(int)
    inside = (x >= 0) & (x < grid.shape[1]) & (y >= 0) & (y < grid.shape[0])
    grid[y[inside], x[inside]] = True


def _to_text(grid: np.ndarray) -> list[str]:
    """Each 4 x 2 block of dots becomes one braille character (blank cells too: U+2800, which
    a terminal never trims the way it may trim spaces)."""
    rows, cols = grid.shape[0] // 4, grid.shape[1] // 2
    blocks = grid[: rows * 4, : cols * 2].reshape(rows, 4, cols, 2)
    codes = (blocks * BITS[None, :, None, :]).sum(axis=(1, 3)) + 0x2800
    return ["".join(map(chr, row)) for row in codes.tolist()]


def _fit(
    points: np.ndarray, width: int, height: int, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """Scale picture points (x right, y down, in picture units) into the dot grid, so that the
    box `low`..`high` (everyone drawn) fills it, centred."""
    span = np.maximum(high - low, 1e-6)
    scale = min((width - 3) / span[0], (height - 3) / span[1])
    centre = (low + high) / 2
    placed: np.ndarray = (points - centre) * scale + np.array([width / 2, height / 2])
    return placed


def draw(
    pose: PoseFrame | None, cols: int = 30, rows: int = 12, others: tuple[PoseFrame, ...] = ()
) -> list[str]:
    """`rows` lines of `cols` characters: the figure, or a note that nobody is seen."""
    width, height = cols * 2, rows * 4
    people = ([pose] if pose is not None else []) + list(others)
    if not people:
        return _blank(cols, rows, "no one in view")
    seen = [_trusted(p) for p in people]
    if len(seen[0]) < 3:
        return _blank(cols, rows, "too little in view")
    pictures = [_mirrored(p) for p in people]
    points = np.concatenate([pic[s] for pic, s in zip(pictures, seen, strict=True) if s])
    low, high = points.min(axis=0), points.max(axis=0)
    grid = np.zeros((height, width), dtype=bool)
    placed = []
    for picture, trusted, person in zip(pictures, seen, people, strict=True):
        spot = np.full((len(picture), 2), np.nan)
        if trusted:
            spot[trusted] = _fit(picture[trusted], width, height, low, high)
        placed.append(spot)
        dotted = 1 if person is pose else 2
        for a, b in BONES:
            if a in trusted and b in trusted:
                _line(grid, _dot(spot[a]), _dot(spot[b]), dotted)
    lines = _to_text(grid)
    if pose is None:
        return _label(lines, max((cols - 18) // 2, 0), 0, "client not in view"[:cols])
    return _marks(lines, placed[0], seen[0], cols, rows, bool(others))


def _trusted(pose: PoseFrame) -> list[int]:
    return [i for i in UPPER if pose.visibility[i] >= MIN_VISIBILITY]


def _mirrored(pose: PoseFrame) -> np.ndarray:
    image_w, image_h = pose.image_size
    picture: np.ndarray = pose.image[:, :2] * np.array([image_w, image_h])
    picture[:, 0] = image_w - picture[:, 0]  # a mirror: the client's right is on the right
    return picture


def _marks(
    lines: list[str], placed: np.ndarray, seen: list[int], cols: int, rows: int, crowd: bool
) -> list[str]:
    """The client's hands labelled L and R; with others in view, `▼ client` over their head."""
    for hand, label in ((L.LEFT_WRIST, "L"), (L.RIGHT_WRIST, "R")):
        if hand in seen:
            x, y = _dot(placed[hand])
            lines = _label(
                lines, min(max(x // 2, 0), cols - 1), min(max(y // 4, 0), rows - 1), label
            )
    if crowd:
        top = min(seen, key=lambda i: placed[i][1])
        x, y = _dot(placed[top])
        col = min(max(x // 2 - 1, 0), max(cols - 8, 0))
        lines = _label(lines, col, max(y // 4 - 1, 0), "▼ client"[:cols])
    return lines


def _dot(point: np.ndarray) -> tuple[int, int]:
    return round(float(point[0])), round(float(point[1]))


def _label(lines: list[str], col: int, row: int, text: str) -> list[str]:
    line = lines[row]
    lines[row] = line[:col] + text + line[col + len(text) :]
    return lines


def _blank(cols: int, rows: int, note: str) -> list[str]:
    lines = [" " * cols for _ in range(rows)]
    return _label(lines, max((cols - len(note)) // 2, 0), rows // 2, note[:cols])
