"""What a build leaves behind, so that the next one with nothing changed does no model work.

After a build, the state of everything its chapters read (the library's code, the profile's
file, the listing of the feature, score, resample and result caches) is written as one
digest into ``<HUMANALIGN_CACHE>/prepared/``. The next build compares the state it finds
with it: equal, and the models' features, probes and scores need no checking (each chapter
still verifies every file it reads); different in any file, and ``humanalign prepare`` runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .._atomic import write_text_atomic
from ..config import settings
from ..profiles import profile_path
from .chapters import library_fingerprint

__all__ = ["prepared_state", "record_state", "recorded_state"]


# The cache folders a build reads and writes; their listing is the state a build leaves.
_CACHE_PARTS = ("features", "scores", "resamples", "results")


def _marker(ref: str) -> Path:
    name = hashlib.sha256(str(ref).encode()).hexdigest()[:16]
    return settings().cache_dir / "prepared" / f"{name}.json"


def prepared_state(ref: str) -> str:
    """What the chapters of a profile read, in one digest: the library's code, the profile's
    file and every file (name, size, modification time) of the caches. A changed, added or
    removed file is another state, and the models' work is checked again."""
    digest = hashlib.sha256()
    digest.update(library_fingerprint().encode())
    digest.update(profile_path(ref).read_bytes())
    root = settings().cache_dir
    for part in _CACHE_PARTS:
        for folder, dirs, files in sorted(os.walk(root / part)):
            dirs.sort()
            for name in sorted(files):
                try:
                    stat = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(os.path.join(folder, name), root)}|{stat.st_size}|"
                              f"{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def recorded_state(ref: str) -> str | None:
    try:
        return json.loads(_marker(ref).read_text())["state"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_state(ref: str) -> None:
    """Remember the state a build leaves (after its chapters wrote their tables), so that the
    next build with nothing changed does no model work at all."""
    try:
        write_text_atomic(_marker(ref), json.dumps({"state": prepared_state(ref), "profile": str(ref)}))
    except OSError:
        pass  # the next build checks the models again: slower, never wrong
