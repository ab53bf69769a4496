"""Text fields that leave the space bar alone: space is the mute key, on every screen, even while
the therapist is typing. Nothing typed here needs a space (ids, notes, numbers, "20,160")."""

from __future__ import annotations

from textual.widgets import Input


class Field(Input):
    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key != "space" and super().check_consume_key(key, character)
