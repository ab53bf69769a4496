"""Still pictures of hard rooms, built from the test media: the stillness suite's pictures.

Besides every photo and three frames of every clip as they are (`still_pictures`), four of
the people are shown the ways a real room shows them: small (a camera at the back of the room, a
body 150 and 100 px tall), with an object hiding a forearm, behind a table that hides the lower
body, in low light (gamma 2), through a noisier camera (sigma 8) and a compressed one (JPEG
quality 30). And groups: two and three people seated shoulder to shoulder behind a table,
overlapping by 10 to 25% of a body's width, three on chairs side by side, and a seated three
filmed from the back of the room. Each is held for a few seconds with fresh camera noise on every
frame (`frames`), as a webcam delivers a room where nobody moves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pose import Frame
from tests.cutouts import Cutout, Image, Segmenter, paste
from tests.pictures import read_image

CLIP_POINTS = (0.2, 0.5, 0.8)
"""Where in each clip a frame is taken: early, middle, late."""
NOISE = 4.0
FPS = 30.0


def still_pictures(media: Path) -> Iterator[tuple[str, Image]]:
    for photo in sorted((media / "images").glob("*.jpg")):
        yield photo.name, read_image(photo)
    for clip in sorted(media.glob("*.mp4")):
        capture = cv2.VideoCapture(str(clip))
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        for point in CLIP_POINTS:
            capture.set(cv2.CAP_PROP_POS_FRAMES, int(count * point))
            ok, frame = capture.read()
            assert ok, f"cannot read frame {point:.0%} into {clip.name}"
            yield f"{clip.stem}@{point:.0%}", np.asarray(frame, dtype=np.uint8)
        capture.release()


ROOM = (640, 360)  # a 16:9 webcam picture, as the groups are filmed
WALL, TABLE, OBJECT = (168, 178, 186), (38, 56, 82), (92, 96, 98)  # BGR
BODY_WIDTH = 1.6  # shoulder widths: a seated upper body with the arms at its sides


@dataclass(frozen=True)
class Picture:
    """A room as the camera sees it, and how the camera spoils it frame by frame."""

    name: str
    image: Image
    people: int = 1
    places: tuple[float, ...] = ()  # each person's torso centre, left to right (picture widths)
    noise: float = NOISE  # grey levels of fresh noise on every frame
    jpeg: int | None = None  # every frame compressed at this quality (a webcam's MJPEG)


def bases(media: Path) -> dict[str, Image]:
    """The four people every variation is made of: seated, arms out, standing, arms forward."""
    stills = dict(still_pictures(media))
    return {
        "seated": stills["mediapipe_pose_test_image.jpg"],
        "warrior": stills["tfjs_pose.jpg"],
        "dancer": stills["dance_arms_raise_front@20%"],
        "squats": stills["squats_arms_forward_5fps@50%"],
    }


def gallery(media: Path, segmenter: Segmenter) -> list[Picture]:
    """Every picture of the suite (48), named for the table."""
    pictures = [Picture(name, image) for name, image in still_pictures(media)]
    stills = dict(still_pictures(media))
    people = {name: segmenter.cut_out(name, image) for name, image in bases(media).items()}
    for name, image in bases(media).items():
        pictures += list(variations(name, image, people[name]))
    taichi = segmenter.cut_out("taichi", stills["tai_chi_arms_raise@80%"])
    pictures += list(groups({**people, "taichi": taichi}))
    return pictures


def variations(name: str, image: Image, person: Cutout) -> Iterator[Picture]:
    for height in (150, 100):
        yield Picture(f"{name} {height} px tall", small(image, person, height))
    yield Picture(f"{name} forearm hidden", hide_forearm(image, person))
    yield Picture(f"{name} behind a table", behind_table(image, person))
    yield Picture(f"{name} low light", gamma(image, 2.0))
    yield Picture(f"{name} noise 8", image, noise=8.0)
    yield Picture(f"{name} JPEG 30", image, jpeg=30)


def groups(people: dict[str, Cutout]) -> Iterator[Picture]:
    trio = [people["taichi"], people["dancer"], people["squats"]]  # arms out, down, forward
    pair = [people["seated"], people["warrior"]]
    for overlap in (0.10, 0.25):
        yield _group(f"2 seated, {overlap:.0%} overlap", bench(pair, overlap, 0.5))
        yield _group(f"3 seated, {overlap:.0%} overlap", bench(trio, overlap))
    yield _group("3 on chairs", chairs(trio))
    yield _group("3 seated, back of the room", bench(trio, 0.15, width=0.35))


def _group(name: str, room: tuple[Image, tuple[float, ...]]) -> Picture:
    image, places = room
    return Picture(name, image, people=len(places), places=places)


def small(image: Image, person: Cutout, height: int) -> Image:
    """The whole picture shrunk until `person` is `height` px tall, in the middle of a 640 x 480
    one whose edges go on as the picture's own edges do: a camera at the back of the room."""
    scale = height / person.height
    shrunk = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    top, left = (480 - shrunk.shape[0]) // 2, (640 - shrunk.shape[1]) // 2
    bottom, right = 480 - shrunk.shape[0] - top, 640 - shrunk.shape[1] - left
    border = cv2.BORDER_REPLICATE
    return np.asarray(cv2.copyMakeBorder(shrunk, top, bottom, left, right, border), np.uint8)


def _landmarks(person: Cutout) -> npt.NDArray[np.float64]:
    """The cutout's landmarks in the picture it was cut from."""
    return np.asarray(person.landmarks + np.array(person.origin), np.float64)


def hide_forearm(image: Image, person: Cutout) -> Image:
    """An object in front of the client's right forearm (elbow to wrist)."""
    points = _landmarks(person)[[L.RIGHT_ELBOW, L.RIGHT_WRIST]]
    pad = 0.3 * person.shoulder_width
    (x0, y0), (x1, y1) = points.min(axis=0) - pad, points.max(axis=0) + pad
    out = image.copy()
    cv2.rectangle(out, (round(x0), round(y0)), (round(x1), round(y1)), OBJECT, thickness=-1)
    return out


def behind_table(image: Image, person: Cutout) -> Image:
    """A table across the picture from a little above the hips down."""
    hips = _landmarks(person)[[L.LEFT_HIP, L.RIGHT_HIP], 1].mean()
    top = round(hips - 0.2 * person.shoulder_width)
    out = image.copy()
    out[top:] = TABLE
    return out


def gamma(image: Image, value: float) -> Image:
    """A dim room: every level darkened as a camera with too little light shows it."""
    table = (255 * (np.arange(256) / 255) ** value).astype(np.uint8)
    return np.asarray(cv2.LUT(image, table), dtype=np.uint8)


def bench(
    people: list[Cutout], overlap: float, width: float = 0.75, lean: float = 0.0
) -> tuple[Image, tuple[float, ...]]:
    """`people` seated shoulder to shoulder behind a table, each overlapping the next by `overlap`
    of a body's width, the row `width` of the picture wide; the middle one sits in front. The
    first (leftmost) leans `lean` of a body's width towards the next, in front of them. With
    where each one's shoulders are (picture widths)."""
    room = np.empty((ROOM[1], ROOM[0], 3), np.uint8)
    room[:] = WALL
    n = len(people)
    body = width * ROOM[0] / (1 + (n - 1) * (1 - overlap))
    shoulder = body / BODY_WIDTH
    start = (ROOM[0] - body * (1 + (n - 1) * (1 - overlap))) / 2 + body / 2
    places = [start + i * body * (1 - overlap) + (lean * body if i == 0 else 0.0) for i in range(n)]
    y = 0.42 * ROOM[1]
    order = sorted(range(n), key=lambda i: -abs(i - (n - 1) / 2))  # the outer ones first
    order = [i for i in order if i != 0 or not lean] + ([0] if lean else [])
    for i in order:
        seated = people[i].scaled(shoulder / people[i].shoulder_width)
        paste(room, seated, (places[i], y))
    room[round(y + 1.25 * shoulder) :] = TABLE
    return room, tuple(x / ROOM[0] for x in places)


def trio(media: Path, segmenter: Segmenter) -> list[Cutout]:
    """The seated three of the groups: arms out (the tai chi man), down (the dancer, in the
    middle: the client), forward (the squats)."""
    stills = dict(still_pictures(media))
    named = {**bases(media), "taichi": stills["tai_chi_arms_raise@80%"]}
    return [segmenter.cut_out(name, named[name]) for name in ("taichi", "dancer", "squats")]


def chairs(people: list[Cutout]) -> tuple[Image, tuple[float, ...]]:
    """`people` side by side, whole, each 80% of the picture tall, a little room between them;
    with where each one's shoulders are."""
    room = np.empty((ROOM[1], ROOM[0], 3), np.uint8)
    room[:] = WALL
    scaled = [p.scaled(0.8 * ROOM[1] / p.height) for p in people]
    widths = [p.pixels.shape[1] for p in scaled]
    gap = max((ROOM[0] - sum(widths)) / (len(people) + 1), 0.0)
    x, places = gap, []
    for person, w in zip(scaled, widths, strict=True):
        head = int(np.argmax(np.max(person.alpha, axis=1)))  # the first row of them
        top = 0.1 * ROOM[1] + float(person.shoulders[1]) - head
        places.append(x + float(person.shoulders[0]))
        paste(room, person, (places[-1], top))
        x += w + gap
    return room, tuple(x / ROOM[0] for x in places)


class Camera:
    """Fresh noise (and compression) on every frame of a still picture, cheaply: a few noise
    fields drawn once, each frame one of them at a random offset."""

    def __init__(self, picture: Picture, seed: int) -> None:
        self.picture = picture
        self._rng = np.random.default_rng(seed)
        shape = picture.image.shape
        self._fields = [
            self._rng.normal(0, picture.noise, shape).astype(np.float32) for _ in range(6)
        ]
        self._base = picture.image.astype(np.float32)

    def frame(self) -> Image:
        field = self._fields[int(self._rng.integers(len(self._fields)))]
        shift = (int(self._rng.integers(field.shape[0])), int(self._rng.integers(field.shape[1])))
        shaken = self._base + np.roll(field, shift, axis=(0, 1))
        noisy = np.asarray(np.clip(shaken, 0, 255), np.uint8)
        if self.picture.jpeg is None:
            return noisy
        ok, data = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, self.picture.jpeg])
        assert ok
        return np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), dtype=np.uint8)


def frames(picture: Picture, seconds: float, seed: int) -> Iterator[Frame]:
    camera = Camera(picture, seed)
    for i in range(int(seconds * FPS)):
        yield Frame(i, 1_000_000_000 + round(i * 1e9 / FPS), camera.frame())
