"""What a damaged log still holds: records whose bytes were garbled are left out, and counted.

A session log is appended frame by frame, in time order, so a frame is sound when its time lies
after the last sound frame's (and within two days of the start), and it says whose frame it is
(0, 1 or 2). A time far ahead that the next frame contradicts is garbage too: it would otherwise
hide every frame after it. Summaries and reports say how many records were skipped.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

MAX_T_NS = 48 * 3600 * 10**9
LEAP_NS = 60 * 10**9  # a jump further ahead than this must be confirmed by the next frame


def sound_frames(
    records: np.ndarray, candidates: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.bool_], int]:
    """Which of the `candidates` (frame records) are sound, and how many are not."""
    t = records["t_ns"]
    ok = candidates & (t >= 0) & (t <= MAX_T_NS) & np.isin(records["present"], (0, 1, 2))
    keep = ok.copy()
    order = np.flatnonzero(ok)
    last = -1
    for k, i in enumerate(order.tolist()):
        later = order[k + 1] if k + 1 < len(order) else None
        leap = last >= 0 and t[i] - last > LEAP_NS and later is not None and t[later] < t[i]
        if t[i] < last or leap:
            keep[i] = False
        else:
            last = int(t[i])
    return keep, int((candidates & ~keep).sum())
