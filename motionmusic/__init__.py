"""motionmusic: a movement-to-music instrument for music therapy and range-of-motion rehab."""

__version__ = "0.1.0"
