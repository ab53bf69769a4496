"""The one exception type a user may see.

Anything the user can fix (a bad path, a missing model, a camera that is not there) is raised as
`MotionMusicError` with a one-line message; the CLI prints it and exits with code 2. Every other
exception is a bug and keeps its traceback.
"""


class MotionMusicError(Exception):
    """A problem with the user's input or machine, described in one line."""

    exit_code = 2
