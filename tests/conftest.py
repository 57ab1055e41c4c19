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


# ---------------------------------------------------------------------------------------
# The book as a new user builds it: a copy of the repository without generated files.

ROOT = Path(__file__).resolve().parents[1]


def repository_files(root: Path = ROOT) -> list[str]:
    """The files a fresh clone has: tracked ones plus new ones git does not ignore."""
    import subprocess

    try:
        done = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root,
                              capture_output=True, text=True)
    except FileNotFoundError:
        done = None
    if done is not None and done.returncode == 0:
        return [name for name in done.stdout.split("\0") if name and (root / name).is_file()]
    # Not a git checkout (say, an unpacked archive): every file but what a build generates.
    generated = {".git", ".venv", "build", "__pycache__", ".pytest_cache", ".cache", "_build", "_generated"}
    found = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if not path.is_file() or generated & set(rel.parts) or rel.suffix == ".ipynb" or rel.parts[0].endswith(".egg-info"):
            continue
        if rel.as_posix() == "book/_static/vega-bundle.js":
            continue
        found.append(rel.as_posix())
    return found


def book_env(clone: Path, folders: Path) -> dict[str, str]:
    """Environment of a user in ``clone``: its own package first, shared warm folders."""
    env = dict(os.environ)
    env.pop("HUMANALIGN_PROFILE", None)
    env.update({
        "PYTHONPATH": os.pathsep.join([str(clone / "lib"), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "HUMANALIGN_DATA": str(folders / "data"),
        "HUMANALIGN_CACHE": str(folders / "cache"),
    })
    return env


@pytest.fixture(scope="session")
def book_clone(tmp_path_factory):
    """A fresh copy of the repository, its book built once with ``jupyter-book build book/``.

    The data and cache folders live for the whole session, so every other book test that
    uses them (the runner, papermill) starts warm. ``HUMANALIGN_TEST_BOOK_FOLDERS`` names a
    folder to keep them in across sessions instead (its ``data/`` and ``cache/``), so that
    a developer's second session starts warm too. Yields a dict with ``clone``,
    ``folders``, ``env`` and the first build's ``seconds``, ``returncode`` and ``output``.
    """
    import shutil
    import subprocess
    import sys
    import time

    if not _has_demo_copy():
        pytest.skip("set HUMANALIGN_MIRRORS to the offline data copy to build the demo book")
    base = tmp_path_factory.mktemp("book-clone")
    clone = base / "clone"
    folders = Path(os.environ.get("HUMANALIGN_TEST_BOOK_FOLDERS") or base / "folders")
    for name in repository_files():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name)
    env = book_env(clone, folders)
    exe = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    done = subprocess.run([str(exe), "build", "book/"], cwd=clone, env=env, capture_output=True, text=True)
    yield {"clone": clone, "folders": folders, "env": env, "seconds": time.perf_counter() - start,
           "returncode": done.returncode, "output": done.stdout + done.stderr}
