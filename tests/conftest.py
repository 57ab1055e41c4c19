"""Shared fixtures: every test runs with its own empty data and cache folders.

Tests that read the offline copy of the public data (``needs_mirror``) use the folders in
``HUMANALIGN_MIRRORS`` (CI points it at the shared data copy). Without it they are skipped
with a message, so a user without the copy still gets a meaningful run of the rest.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

MIRRORS = os.environ.get("HUMANALIGN_MIRRORS", "")


def _has_demo_copy() -> bool:
    return any((Path(p) / "things" / "things_concepts.tsv").exists() for p in MIRRORS.split(os.pathsep) if p)


needs_mirror = pytest.mark.skipif(
    not _has_demo_copy(),
    reason="set HUMANALIGN_MIRRORS to a folder with the offline data copy (things/, imagenet/, litert/)",
)


@pytest.fixture(autouse=True)
def isolated_folders(tmp_path_factory, monkeypatch):
    """Fresh data and cache folders per test; the mirrors stay as configured."""
    base = tmp_path_factory.mktemp("humanalign")
    monkeypatch.setenv("HUMANALIGN_DATA", str(base / "data"))
    monkeypatch.setenv("HUMANALIGN_CACHE", str(base / "cache"))
    monkeypatch.delenv("HUMANALIGN_URL_MAP", raising=False)
    monkeypatch.delenv("HUMANALIGN_OFFLINE", raising=False)
    yield base


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
