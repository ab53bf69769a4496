"""The values that flow from the pose model to everything downstream.

Results of any pose library are converted at the boundary into `PoseFrame`: plain numpy arrays, so
angles, traces and tests never depend on MediaPipe's own result types.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from motionmusic.core.landmarks import NUM_LANDMARKS

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Frame:
    """One picture from a frame source.

    `t_ns` is a monotonic capture time (`time.monotonic_ns()` scale) taken as early as possible.
    `image` is BGR pixels, or None for sources that carry no pixels (a recorded trace).
    `decode_ns` is how long grabbing and decoding it took (for the benchmark's stage times).
    """

    index: int
    t_ns: int
    image: npt.NDArray[np.uint8] | None
    decode_ns: int = 0


@dataclass(frozen=True, slots=True)
class PoseFrame:
    """One person's landmarks at one instant.

    Attributes:
        t_ns: capture time of the frame the pose was found in (monotonic ns).
        image: (33, 3) normalised image coordinates: x, y in 0..1 (y down), z depth on x's scale.
        world: (33, 3) metric coordinates centred between the hips, axes as the image (y down).
        visibility: (33,) probability that each landmark is visible (not occluded, in frame).
        presence: (33,) probability that each landmark is present in the frame.
        image_size: (width, height) of the analysed picture, needed to undo the normalisation.
    """

    t_ns: int
    image: FloatArray
    world: FloatArray
    visibility: FloatArray
    presence: FloatArray
    image_size: tuple[int, int]

    def __post_init__(self) -> None:
        for name in ("image", "world"):
            if getattr(self, name).shape != (NUM_LANDMARKS, 3):
                raise ValueError(f"PoseFrame.{name} must have shape ({NUM_LANDMARKS}, 3)")

    def image_points(self) -> FloatArray:
        """Image landmarks in pixels (x·width, y·height, z·width): isotropic, so angles hold."""
        width, height = self.image_size
        return self.image * np.array([width, height, width], dtype=np.float64)

    def in_frame(self, margin: float = 0.02) -> npt.NDArray[np.bool_]:
        """True for landmarks whose image position lies inside the picture (a small margin)."""
        xy = self.image[:, :2]
        inside: npt.NDArray[np.bool_] = np.all((xy >= -margin) & (xy <= 1.0 + margin), axis=1)
        return inside


@dataclass(frozen=True, slots=True)
class Zone:
    """A part of the picture to look in, as fractions of its width and height (0..1).

    The pose model finds one person per look: looking only where the client is keeps it on them,
    however many people the room holds, at the cost of one person."""

    left: float = 0.0
    top: float = 0.0
    right: float = 1.0
    bottom: float = 1.0

    @property
    def whole(self) -> bool:
        return (self.left, self.top, self.right, self.bottom) == (0.0, 0.0, 1.0, 1.0)

    @property
    def width(self) -> float:
        return self.right - self.left

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the zone in a picture of that size, at least one pixel each way."""
        x0, y0 = int(self.left * width), int(self.top * height)
        x1 = max(round(self.right * width), x0 + 1)
        y1 = max(round(self.bottom * height), y0 + 1)
        return x0, y0, x1, y1


WHOLE = Zone()


def uncrop(pose: PoseFrame, box: tuple[int, int, int, int], size: tuple[int, int]) -> PoseFrame:
    """A pose found in the crop `box` (x0, y0, x1, y1 in pixels) of a picture of `size` (width,
    height), in the whole picture's coordinates. Depth z is on x's scale, so it scales with the
    width; world landmarks are metric and stay as they are."""
    x0, y0, x1, y1 = box
    width, height = size
    image = pose.image.copy()
    image[:, 0] = (image[:, 0] * (x1 - x0) + x0) / width
    image[:, 1] = (image[:, 1] * (y1 - y0) + y0) / height
    image[:, 2] = image[:, 2] * (x1 - x0) / width
    return PoseFrame(pose.t_ns, image, pose.world, pose.visibility, pose.presence, size)
