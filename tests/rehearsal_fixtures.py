"""Fixtures of the full-profile rehearsal: stand-ins built once, a loopback server per test.

Import them into a test module with ``from rehearsal_fixtures import standins, served``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import rehearsal


@pytest.fixture(scope="session")
def standins(tmp_path_factory) -> rehearsal.Standins:
    """Every stand-in file of the full profile, built once per session (about 10 s)."""
    root = tmp_path_factory.mktemp("standins")
    table = rehearsal.write_model_table(root / "models.csv")
    with pytest.MonkeyPatch.context() as mp:
        # The session fixture runs outside the per-test isolation: give it its own folders.
        mp.setenv(rehearsal.EXTRA_MODELS_ENV, str(table))
        mp.setenv("HUMANALIGN_DATA", str(root / "build-data"))
        mp.setenv("HUMANALIGN_CACHE", str(root / "build-cache"))
        mp.delenv("HUMANALIGN_URL_MAP", raising=False)
        built = rehearsal.build_standins(root / "files")
    built.model_table = table
    return built


@pytest.fixture
def served(standins, monkeypatch):
    """A running stand-in server with every public address of the full profile sent to it.

    The offline copy is taken out of ``HUMANALIGN_MIRRORS`` so that every file really
    comes through the download path. Yields the :class:`rehearsal.StandinServer`.
    """
    rehearsal.check_standins(standins)
    monkeypatch.setenv(rehearsal.EXTRA_MODELS_ENV, str(standins.model_table))
    monkeypatch.setenv("HUMANALIGN_MIRRORS", "")
    with rehearsal.StandinServer(standins.www) as server:
        monkeypatch.setenv("HUMANALIGN_URL_MAP", standins.url_map(server.base_url))
        yield server


def data_dir() -> Path:
    return Path(os.environ["HUMANALIGN_DATA"])


def cache_dir() -> Path:
    return Path(os.environ["HUMANALIGN_CACHE"])
