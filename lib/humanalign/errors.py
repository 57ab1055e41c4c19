"""The package's error classes, on the ground floor so that every layer can raise them.

Each message names the file, value or model at fault and says what to do; the classes
only let a caller tell the kinds apart.
"""

from __future__ import annotations

__all__ = ["DataError", "DataNotFoundError", "DiskFullError", "HashMismatchError", "WeightsUnavailableError", "user_message"]


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
