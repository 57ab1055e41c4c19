"""The package's error classes, on the ground floor so that every layer can raise them.

Each message names the file, value or model at fault and says what to do; the classes
only let a caller tell the kinds apart.
"""

from __future__ import annotations

import re

__all__ = ["DataError", "DataNotFoundError", "DiskFullError", "FileSizeLimitError", "HashMismatchError",
           "NotWritableError", "WeightsUnavailableError", "resource_hint", "user_message"]


class DataError(RuntimeError):
    """A data file is missing, corrupt or malformed; the message says what to do."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A file is neither in a mirror nor in the data folder and could not be downloaded."""


class HashMismatchError(DataError):
    """A file's sha256 (or published MD5) differs from the expected (or first recorded) one.

    Attributes:
        path: The file, where the raiser names it.
        detail: What differs, in a few words (``"sha256 ..., but ... is expected"``).
    """

    def __init__(self, message: str, path: object = None, detail: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.detail = detail


class WeightsUnavailableError(DataNotFoundError):
    """Pretrained weights could not be obtained; the message names model, address and folder."""


def user_message(err: BaseException) -> str:
    """The message of a user error as one line, for the command line.

    A KeyError's message is printed as written (``str`` would quote it); the lines of a
    message that spans several are joined.
    """
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    return " ".join(line.strip() for line in text.splitlines() if line.strip()) or type(err).__name__


class DiskFullError(OSError):
    """A file could not be written because its disk (or the user's quota) is full.

    The message names the file being written and says how to make room; nothing half
    written is left under that name.
    """


class FileSizeLimitError(OSError):
    """A file could not be written because it reached the session's file-size limit
    (``ulimit -f``); the message names the file and says how to lift the limit."""


class NotWritableError(OSError):
    """A file could not be written because its folder is read-only, not a folder, or not the
    user's to write; the message names the file, the cause and which setting to change."""


# Failures of the image loader's worker processes, which reach us as the text of another
# library's error: the pattern and what to do.
_RESOURCE_HINTS = (
    (re.compile(r"unable to (write to|allocate shared memory|open shared memory).*(File too large|\(27\))", re.I | re.S),
     "the image loader could not pass a batch to the model through shared memory: a file-size limit "
     "(ulimit -f) is set; lift it (ulimit -f unlimited), or run `humanalign extract --num-workers 0`, "
     "which passes no batch through shared memory, and run again"),
    (re.compile(r"unable to (write to|allocate shared memory|open shared memory).*(No space left|\(28\))", re.I | re.S),
     "the image loader could not pass a batch to the model through shared memory (/dev/shm is full); "
     "free space there or give the container more shared memory (docker --shm-size), or run "
     "`humanalign extract --num-workers 0`, and run again"),
    (re.compile(r"\d+ requested and \d+ written", re.S),
     "a file was cut short while it was written: its disk or your quota is full, or a file-size limit "
     "(ulimit -f) is set; free some space or lift the limit, then run again"),
)


def resource_hint(text: str) -> str | None:
    """What to do about a failure that another library reports only as text (a full shared
    memory, a file-size limit, a short write), or ``None`` when ``text`` is none of them."""
    for pattern, hint in _RESOURCE_HINTS:
        if pattern.search(str(text)):
            return hint
    return None
