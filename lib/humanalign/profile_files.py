"""Where a profile's YAML file is: a shipped profile by its name, any other by its path.

A name is a bare word (``demo``, ``full``) and only ever names a file shipped in
``humanalign/resources/profiles``; anything with a folder or a suffix in it is a path and is
read where it points. Either way the file must be a regular file of at most
:data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

from ._yaml import shown as _shown

__all__ = ["MAX_FILE_BYTES", "profile_names", "profile_path"]

#: A profile is a page of YAML (the shipped ones are about 2 KB).
MAX_FILE_BYTES = 1 << 20
# A shipped profile's name: a bare word (no folder, no suffix).
_SHIPPED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _shipped(name: str) -> Path:
    return Path(str(resources.files("humanalign") / "resources" / "profiles" / f"{name}.yml"))


def profile_names() -> list[str]:
    """The names of the profiles shipped with the package (``demo``, ``full``)."""
    folder = resources.files("humanalign") / "resources" / "profiles"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml"))


def profile_path(name_or_path: str | os.PathLike) -> Path:
    """The YAML file of a profile: the name of a shipped profile or the path of a file.

    A bare word (letters, digits, ``-`` and ``_``) that is not an existing file names a
    shipped profile; anything else (a folder in it, a suffix) is a path, read as given.

    Raises:
        FileNotFoundError: a path that does not exist.
        ValueError: an unknown name, a folder or other non-file, or a file too large to be a
            profile (over 1 MiB).
    """
    text = os.fspath(name_or_path) if isinstance(name_or_path, os.PathLike) else str(name_or_path)
    if "\0" in text or len(text) > 4096:
        raise ValueError(f"Profile {_shown(text)} is neither a profile name nor a file path.")
    candidate = Path(text).expanduser()
    try:
        if candidate.is_dir():
            raise ValueError(f"Profile {candidate} is a folder; pass the path of a profile .yml file.")
        if candidate.suffix in {".yml", ".yaml"} or candidate.exists() or not _SHIPPED_NAME.match(text):
            return _checked_file(candidate)
    except OSError as err:  # a name too long for the file system, say
        if isinstance(err, FileNotFoundError):
            raise
        raise ValueError(f"Profile {_shown(text)} cannot be looked up as a file ({err.strerror or err}).") from None
    # A bare word names a shipped profile and nothing else, never a file reached from the
    # package's folder: "../../x/evil" is a path, looked up as one above.
    named = _shipped(text)
    if not named.is_file():
        raise ValueError(
            f"Unknown profile {_shown(text)}. Shipped profiles: {profile_names()}; or pass the path of a "
            ".yml file (copy a shipped one with `humanalign profile demo > mine.yml`)."
        )
    return named


def _checked_file(candidate: Path) -> Path:
    if not candidate.exists():
        raise FileNotFoundError(f"Profile file {candidate} does not exist; pass a shipped profile's name "
                                f"({', '.join(profile_names())}) or the path of a profile .yml file.")
    if not candidate.is_file():
        raise ValueError(f"Profile {candidate} is not a regular file; pass the path of a profile .yml file.")
    size = candidate.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(
            f"Profile file {candidate} holds {size:,} bytes, more than a profile's limit of "
            f"{MAX_FILE_BYTES:,}; a profile is a short YAML file (see `humanalign profile demo`)."
        )
    return candidate
