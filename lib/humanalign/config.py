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
    ``auto`` (default: CUDA when present, else CPU), ``cpu``, ``cuda``, ``cuda:N`` or ``mps``;
    a device that is not present is refused before any work starts.
``HUMANALIGN_URL_MAP``
    Redirects download addresses: ``prefix=replacement`` pairs separated by ``;``, e.g.
    ``https://osf.io=http://127.0.0.1:8000/osf``. Used for local mirrors of the sources.
``HUMANALIGN_OFFLINE``
    ``1``/``true``/``yes``/``on``: never download; a missing file raises an error that says
    how to get it. ``0``/``false``/``no``/``off`` or unset: download when needed. Any other
    value is refused.
``HUMANALIGN_EXTRA_MODELS``
    CSV files in the format of ``resources/models.csv`` whose rows are added to the model
    registry (read by :mod:`humanalign.registry`), separated by ``os.pathsep``.

Model weights are downloaded into ``<HUMANALIGN_DATA>/weights/`` like any other file.

A relative folder or file (``HUMANALIGN_CACHE=rel/cache``) means the one below the folder the
command was started in: it is made absolute when the settings are read, and
:func:`absolute_env` hands the absolute form to processes that run elsewhere (the notebook
kernels run in the notebooks folder).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

__all__ = ["PATH_VARIABLES", "Settings", "absolute_env", "check_device", "settings"]

#: The variables that name folders or files (lists of them separated by ``os.pathsep``).
PATH_VARIABLES = ("HUMANALIGN_DATA", "HUMANALIGN_CACHE", "HUMANALIGN_MIRRORS", "HUMANALIGN_EXTRA_MODELS")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


def _parse_flag(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(
        f"{name}={value!r} is not understood; use 1/true/yes/on or 0/false/no/off "
        "(or leave it unset)."
    )


def check_device(device: str, origin: str = "device") -> str:
    """Return ``device`` (``auto`` resolved) after checking that it exists on this machine.

    Args:
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        origin: What the value came from, for the message (e.g. ``HUMANALIGN_DEVICE``).

    Raises:
        ValueError: not a device name, or a device this machine does not have.
    """
    text = str(device).strip()
    if not _DEVICE.match(text):
        raise ValueError(
            f"{origin} {device!r} is not a device; use auto, cpu, cuda, cuda:N (N counted from 0) or mps."
        )
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a core dependency
        if text in ("auto", "cpu"):
            return "cpu"
        raise ValueError(f"{origin} {device!r} needs torch, which is not installed; use cpu.") from None
    if text == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if text.startswith("cuda"):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = int(text.split(":")[1]) if ":" in text else 0
        if index >= count:
            have = f"{count} CUDA device(s) (cuda:0 to cuda:{count - 1})" if count else "no CUDA device"
            raise ValueError(f"{origin} {device!r} is not available: this machine has {have}; use auto or cpu.")
    if text == "mps":
        backend = getattr(torch.backends, "mps", None)
        if backend is None or not backend.is_available():
            raise ValueError(f"{origin} 'mps' is not available on this machine; use auto or cpu.")
    return text


def _absolute(text: str) -> Path:
    """``~`` expanded and a relative path joined to the current folder."""
    return Path(os.path.abspath(os.path.expanduser(text)))


def absolute_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The path variables (:data:`PATH_VARIABLES`) that are set, made absolute.

    A relative path is taken against the current folder, so a process started in another
    folder (a papermill kernel) and given these values uses the same folders as this one.

    Args:
        environ: The variables to read (default: ``os.environ``).

    Returns:
        Variable name -> absolute value; a list keeps its order and loses empty entries.
    """
    env = os.environ if environ is None else environ
    out = {}
    for name in PATH_VARIABLES:
        if env.get(name):
            out[name] = os.pathsep.join(str(_absolute(p)) for p in env[name].split(os.pathsep) if p)
    return out


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


def _checked_device_name(value: str) -> str:
    if not _DEVICE.match(value.strip()):
        raise ValueError(
            f"HUMANALIGN_DEVICE={value!r} is not a device; use auto, cpu, cuda, cuda:N or mps."
        )
    return value.strip()


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
        mirrors = tuple(_absolute(p) for p in env.get("HUMANALIGN_MIRRORS", "").split(os.pathsep) if p)
        return cls(
            data_dir=_absolute(env.get("HUMANALIGN_DATA") or str(home / "data")),
            cache_dir=_absolute(env.get("HUMANALIGN_CACHE") or str(home / "cache")),
            mirrors=mirrors,
            device=_checked_device_name(env.get("HUMANALIGN_DEVICE", "auto") or "auto"),
            url_map=_parse_url_map(env.get("HUMANALIGN_URL_MAP", "")),
            offline=_parse_flag("HUMANALIGN_OFFLINE", env.get("HUMANALIGN_OFFLINE", "")),
        )

    def map_url(self, url: str) -> str:
        """Apply ``HUMANALIGN_URL_MAP`` to a download address."""
        for prefix, replacement in self.url_map:
            if url.startswith(prefix):
                return replacement + url[len(prefix):]
        return url

    def resolve_device(self) -> str:
        """The torch device string to use: ``auto`` becomes ``cuda`` when available.

        Raises:
            ValueError: ``HUMANALIGN_DEVICE`` names a device this machine does not have.
        """
        return check_device(self.device, "HUMANALIGN_DEVICE")


def settings() -> Settings:
    """Read the current settings from the environment."""
    return Settings.from_env()


#: Environment variable that sets how many processes a build runs side by side.
WORKERS_ENV = "HUMANALIGN_WORKERS"


def workers() -> int:
    """Processes a build runs side by side (the models' features and probes, the chapters):
    ``HUMANALIGN_WORKERS``, or the CPU cores this process may use, at most 8.

    Raises:
        ValueError: ``HUMANALIGN_WORKERS`` is not a whole number of at least 1.
    """
    value = os.environ.get(WORKERS_ENV, "").strip()
    if value:
        try:
            chosen = int(value)
        except ValueError:
            raise ValueError(f"{WORKERS_ENV}={value!r} is not a whole number; set it to 1 or more.") from None
        if chosen < 1:
            raise ValueError(f"{WORKERS_ENV}={value!r}: set it to 1 or more.")
        return chosen
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))
