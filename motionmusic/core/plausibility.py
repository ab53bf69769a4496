"""What a body can do: values beyond a joint's range, and skeletons that jumped, are artefacts.

A camera estimate can report a shoulder flexed to 196° (the model's depth guess behind the head)
or a skeleton that leapt across the picture for one frame (it briefly took something else for the
client). Neither is movement. Session summaries leave such values out of range of motion, count
them, and say so in the summary, the CSV and the report.

Physiological limits: the normal adult active range of the joint, plus 10° for the camera's error
(the reports' stated accuracy), except where the normal range already ends at the geometric end of
the angle (180°: the arm along the trunk line, pointing up). Sources:
- shoulder and elbow: American Academy of Orthopaedic Surgeons, *Joint Motion: Method of Measuring
  and Recording* (1965), as tabulated in C. C. Norkin and D. J. White, *Measurement of Joint
  Motion: A Guide to Goniometry*, 5th ed., F. A. Davis, 2016, appendix A: shoulder flexion 0-180°,
  extension 0-60°, abduction 0-180°; elbow flexion 0-150°;
- fingers: the same AAOS table: metacarpophalangeal (MCP) flexion 0-90°, proximal interphalangeal
  (PIP) 0-100°, distal interphalangeal (DIP) 0-90°, so a finger's total flexion (MCP + PIP + DIP,
  the total active motion of the American Society for Surgery of the Hand) is at most 280°; the
  thumb's MCP 0-50° and IP 0-80°, at most 130°;
- cervical spine: American Medical Association, *Guides to the Evaluation of Permanent
  Impairment*, 5th ed., 2001, section 15.12: flexion 50°, extension 60°, lateral bending 45°,
  rotation 80° each way.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from motionmusic.core.landmarks import Landmark as L

CAMERA_ERROR_DEG = 10.0
LIMITS: dict[str, tuple[float, float]] = {
    **{f"{side}_shoulder_flexion": (-60.0 - CAMERA_ERROR_DEG, 180.0) for side in ("left", "right")},
    **{f"{side}_shoulder_abduction": (-math.inf, 180.0) for side in ("left", "right")},
    **{f"{side}_shoulder_elevation": (-math.inf, 180.0) for side in ("left", "right")},
    **{
        f"{side}_elbow_flexion": (-math.inf, 150.0 + CAMERA_ERROR_DEG) for side in ("left", "right")
    },
    "head_yaw": (-80.0 - CAMERA_ERROR_DEG, 80.0 + CAMERA_ERROR_DEG),
    "head_pitch": (-50.0 - CAMERA_ERROR_DEG, 60.0 + CAMERA_ERROR_DEG),  # looking up is +
    "head_roll": (-45.0 - CAMERA_ERROR_DEG, 45.0 + CAMERA_ERROR_DEG),
    "thumb_flexion": (-math.inf, 130.0 + CAMERA_ERROR_DEG),
    **{
        f"{finger}_flexion": (-math.inf, 280.0 + CAMERA_ERROR_DEG)
        for finger in ("index", "middle", "ring", "little")
    },
}
"""(lowest, highest) a body can show, per angle; angles not listed (wrist height in shoulder
widths, trunk lean) have no joint range to check."""

JUMP_SHOULDER_WIDTHS_S = 15.0
"""Faster than this the shoulders did not move, the tracker did: 15 shoulder widths a second is
about 6 m/s, twice a brisk sprint, in a therapy room."""
SCALE_JUMP = 0.3
"""A shoulder line 30% longer or shorter than a frame before: the client did not grow."""
SETTLE_FRAMES = 5
"""After a jump, this many frames agreeing with each other are the client, found again."""

FloatArray = npt.NDArray[np.float64]


def implausible(name: str, values: FloatArray) -> npt.NDArray[np.bool_]:
    """Which of an angle's values no body can show (NaN is not implausible: not measured)."""
    low, high = LIMITS.get(name, (-math.inf, math.inf))
    with np.errstate(invalid="ignore"):
        return np.asarray((values < low) | (values > high))


def glitches(
    image: FloatArray,
    world: FloatArray,
    present: npt.NDArray[np.bool_],
    t_ns: npt.NDArray[np.int64],
    size: tuple[int, int],
) -> npt.NDArray[np.bool_]:
    """Frames whose skeleton jumped further than a body moves in the time since the last good
    frame, or changed size. `image`: frames x landmarks x (x, y, z), 0..1 of the picture;
    `world`: the same in metres. Distances in the picture are in the session's typical shoulder
    width (its median: a client turning side-on narrows the shoulders, not the body); size is the
    3-D shoulder width, which turning does not change."""
    width, height = size
    left = image[:, L.LEFT_SHOULDER, :2] * (width, height)
    right = image[:, L.RIGHT_SHOULDER, :2] * (width, height)
    centre = (left + right) / 2
    shown = np.linalg.norm(left - right, axis=1)[present]
    typical = max(float(np.median(shown)), 1.0) if shown.size else 1.0
    shoulders = np.linalg.norm(world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER], axis=1)
    body = _Body(centre / typical, shoulders, t_ns)
    bad = np.zeros(len(present), dtype=bool)
    anchor: int | None = None  # the last good frame
    streak: list[int] = []  # frames since a jump, agreeing with each other
    for i in np.flatnonzero(present).tolist():
        if anchor is None or body.could_move(anchor, i):
            anchor, streak = i, []
            continue
        bad[i] = True
        streak = [*streak, i] if streak and body.could_move(streak[-1], i) else [i]
        if len(streak) >= SETTLE_FRAMES:  # the same skeleton, steadily: the client, moved
            bad[streak] = False
            anchor, streak = i, []
    return bad


class _Body:
    def __init__(
        self, centre: FloatArray, shoulders: FloatArray, t_ns: npt.NDArray[np.int64]
    ) -> None:
        self.centre, self.shoulders, self.t_ns = centre, shoulders, t_ns

    def could_move(self, a: int, b: int) -> bool:
        """Whether frame b's shoulders are where, and as wide as, a body could be after frame a."""
        seconds = max((int(self.t_ns[b]) - int(self.t_ns[a])) / 1e9, 1e-3)
        travel = float(np.linalg.norm(self.centre[b] - self.centre[a])) / seconds
        grown = abs(float(self.shoulders[b]) / max(float(self.shoulders[a]), 1e-3) - 1.0)
        return travel <= JUMP_SHOULDER_WIDTHS_S and grown <= SCALE_JUMP
