"""Reading a test picture (a photo, a plotted PNG) as OpenCV does, or failing the test."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt


def read_image(path: Path) -> npt.NDArray[np.uint8]:
    """BGR pixels of `path`; a missing or unreadable file fails the test that needs it."""
    image = cv2.imread(str(path))
    assert image is not None, f"cannot read {path}"
    return np.asarray(image, dtype=np.uint8)
