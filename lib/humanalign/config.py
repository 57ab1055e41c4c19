"""Settings read from the environment, with defaults that work on a fresh machine.

Variables:

``HUMANALIGN_DATA``
    Writable folder where downloaded data live (default: ``~/.cache/humanalign/data``).
``HUMANALIGN_MIRRORS``
    Read-only folders searched before the data folder, separated by ``os.pathsep``.
    A file ``things/test_triplets.csv`` is looked up as ``<mirror>/things/test_triplets.csv``.
``HUMANALIGN_CACHE``
    Writable folder for features and results (default: ``~/.cache/humanalign/cache``).
``HUMANALIGN_DEVICE``
    ``auto`` (default: CUDA when present, else CPU), ``cpu``, ``cuda`` or ``cuda:N``.
``HUMANALIGN_URL_MAP``
    Redirects download addresses: ``prefix=replacement`` pairs separated by ``;``, e.g.
    ``https://osf.io=http://127.0.0.1:8000/osf``. Used for local mirrors of the sources.
``HUMANALIGN_OFFLINE``
    When ``1``, never download; a missing file raises an error that says how to get it.
``HUMANALIGN_EXTRA_MODELS``
    CSV files in the format of ``resources/models.csv`` whose rows are added to the model
    registry (read by :mod:`humanalign.registry`), separated by ``os.pathsep``.

Model weights are downloaded into ``<HUMANALIGN_DATA>/weights/`` like any other file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Settings", "settings"]


def _home_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "humanalign"


def _parse_url_map(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        if "=" not in item:
            raise ValueError(
                f"HUMANALIGN_URL_MAP entry {item!r} has no '='; write it as "
                "'https://source.example=http://mirror.example/path'"
            )
        prefix, replacement = item.split("=", 1)
        pairs.append((prefix.strip(), replacement.strip()))
    # Longest prefix first so that the most specific rule wins.
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@dataclass(frozen=True)
class Settings:
    """A snapshot of the configuration; build a new one to pick up changed variables."""

    data_dir: Path
    cache_dir: Path
    mirrors: tuple[Path, ...] = ()
    device: str = "auto"
    url_map: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    offline: bool = False

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        home = _home_cache()
        mirrors = tuple(
            Path(p).expanduser() for p in env.get("HUMANALIGN_MIRRORS", "").split(os.pathsep) if p
        )
        return cls(
            data_dir=Path(env.get("HUMANALIGN_DATA") or home / "data").expanduser(),
            cache_dir=Path(env.get("HUMANALIGN_CACHE") or home / "cache").expanduser(),
            mirrors=mirrors,
            device=env.get("HUMANALIGN_DEVICE", "auto") or "auto",
            url_map=_parse_url_map(env.get("HUMANALIGN_URL_MAP", "")),
            offline=env.get("HUMANALIGN_OFFLINE", "0").lower() in {"1", "true", "yes"},
        )

    def map_url(self, url: str) -> str:
        """Apply ``HUMANALIGN_URL_MAP`` to a download address."""
        for prefix, replacement in self.url_map:
            if url.startswith(prefix):
                return replacement + url[len(prefix):]
        return url

    def resolve_device(self) -> str:
        """The torch device string to use: ``auto`` becomes ``cuda`` when available."""
        if self.device != "auto":
            return self.device
        try:
            import torch

            return "cuda" if torch.cuda.is_available() else "cpu"
        except ImportError:  # pragma: no cover - torch is a core dependency
            return "cpu"


def settings() -> Settings:
    """Read the current settings from the environment."""
    return Settings.from_env()
