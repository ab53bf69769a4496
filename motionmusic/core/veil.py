"""A veil over people the pose model must look past: their head and torso painted over.

The pose model finds one person per look, whichever it finds likeliest in the part of the picture
it is given. In a seated group a neighbour's head and shoulders are inside any crop wide enough
for the client's arms, so it may as well find the neighbour. Painting over the faces and torsos of
everyone known not to be the client (the person a look just found instead, the other players, the
people of the last search) leaves it one person to find. The veil is inset from the torso's
sides, so an arm of the client's across a neighbour's shoulder stays in view.

Only the looks that find someone (a fresh start, a search, a second look after the wrong person
was found) see a veiled picture; a person already tracked is followed on the picture itself.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pose import FloatArray, PoseFrame

Image = npt.NDArray[np.uint8]
HEAD = 0.4  # radius of the head's veil round the nose, in torso sizes
INSET = 0.2  # of the shoulder width, taken off each side of the torso's veil
NARROWEST = 0.25  # torso sizes: the torso's veil is at least this far either side of its line
GREY = 128


def veil(image: Image, poses: list[PoseFrame]) -> Image:
    """A copy of `image` with each pose's head and torso painted grey (`image` itself if none)."""
    if not poses:
        return image
    out = image.copy()
    height, width = image.shape[:2]
    for pose in poses:
        points = pose.image[:, :2] * np.array([width, height])
        _fill(out, _torso(points))
        _disc(out, points[L.NOSE], HEAD * torso_size(points))
    return out


def torso_size(points: FloatArray) -> float:
    """The larger of shoulder width and torso length, in pixels (at least 8): a person's size
    whether they face the camera or stand side-on to it."""
    shoulders = (points[L.LEFT_SHOULDER] + points[L.RIGHT_SHOULDER]) / 2
    hips = (points[L.LEFT_HIP] + points[L.RIGHT_HIP]) / 2
    across = float(np.linalg.norm(points[L.LEFT_SHOULDER] - points[L.RIGHT_SHOULDER]))
    return max(across, float(np.linalg.norm(shoulders - hips)), 8.0)


def _torso(points: FloatArray) -> FloatArray:
    """Shoulders and hips, each pulled in by `INSET` of the shoulder width, but never narrower
    than `NARROWEST` torso sizes either side of the torso's line (side-on, the shoulders are
    one behind the other); clockwise order."""
    corners = points[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.RIGHT_HIP, L.LEFT_HIP]].copy()
    across = corners[0] - corners[1]
    length = float(np.linalg.norm(across))
    half = max((1 - 2 * INSET) * length / 2, NARROWEST * torso_size(points))
    unit = across / length if length > 1e-6 else np.array([1.0, 0.0])
    top, bottom = (corners[0] + corners[1]) / 2, (corners[2] + corners[3]) / 2
    return np.array(
        [top + half * unit, top - half * unit, bottom - half * unit, bottom + half * unit]
    )


def _fill(image: Image, corners: FloatArray) -> None:
    """Paint the convex quadrilateral `corners` (pixels) grey."""
    height, width = image.shape[:2]
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1]
    sides = []
    for a, b in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        sides.append((b[0] - a[0]) * (ys - a[1]) - (b[1] - a[1]) * (xs - a[0]))
    stacked = np.stack(sides)
    inside = np.all(stacked >= 0, axis=0) | np.all(stacked <= 0, axis=0)  # either winding
    image[y0:y1, x0:x1][inside] = GREY


def _disc(image: Image, centre: FloatArray, radius: float) -> None:
    height, width = image.shape[:2]
    x0, y0 = max(int(centre[0] - radius), 0), max(int(centre[1] - radius), 0)
    x1, y1 = min(int(centre[0] + radius) + 1, width), min(int(centre[1] + radius) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1]
    inside = (xs - centre[0]) ** 2 + (ys - centre[1]) ** 2 <= radius**2
    image[y0:y1, x0:x1][inside] = GREY
