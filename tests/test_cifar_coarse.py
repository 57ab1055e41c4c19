"""CIFAR-100 coarse control: python-format pickles written here, PNG export, synthetic triplets."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from humanalign import sources
from humanalign.config import settings
from humanalign.errors import DataError
from humanalign.datasets.cifar_coarse import (
    N_COARSE,
    load_cifar100,
    load_cifar_coarse,
    load_cifar_coarse_stimuli,
    sample_coarse_triplets,
)

PER_CLASS = 4  # images of each coarse class in the fake test split


@pytest.fixture(autouse=True)
def restore_cifar_resource(monkeypatch):
    """write_cifar pins its own archive's MD5 in place of the published one; undo that."""
    monkeypatch.setitem(sources.RESOURCES, "cifar100", sources.RESOURCES["cifar100"])


def write_cifar(root: Path, seed: int = 0, per_class: int = PER_CLASS, replace_files: dict | None = None) -> dict:
    """Write a tiny CIFAR-100 in the python version's format (Python 2 pickles, bytes keys).

    The pickles are packed into ``cifar100.tar.gz`` in ``root`` (as a download would be) and
    the registered resource is pinned to that archive's MD5. ``replace_files`` maps a member
    name (``meta``, ``test``, ``train``) to the bytes to pack instead, or None to leave it out.
    """
    rng = np.random.default_rng(seed)
    meta = {
        b"fine_label_names": [f"fine{i}".encode() for i in range(100)],
        b"coarse_label_names": [f"coarse{i}".encode() for i in range(N_COARSE)],
    }
    coarse = np.repeat(np.arange(N_COARSE), per_class)
    rng.shuffle(coarse)
    fine = coarse * 5 + rng.integers(0, 5, len(coarse))
    images = rng.integers(0, 256, (len(coarse), 32, 32, 3), dtype=np.uint8)
    split = {
        b"data": images.transpose(0, 3, 1, 2).reshape(len(coarse), -1),  # R plane, G plane, B plane
        b"fine_labels": fine.tolist(),
        b"coarse_labels": coarse.tolist(),
        b"filenames": [f"img{i}.png".encode() for i in range(len(coarse))],
    }
    members = {name: pickle.dumps(content, protocol=2) for name, content in (("meta", meta), ("test", split), ("train", split))}
    members.update(replace_files or {})
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members.items():
            if data is not None:
                info = tarfile.TarInfo(f"cifar-100-python/{name}")
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    # A fresh data folder each time: no earlier unpacking or recorded hash of another archive.
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "cifar100.tar.gz").write_bytes(buf.getvalue())
    md5 = hashlib.md5(buf.getvalue()).hexdigest()
    sources.RESOURCES["cifar100"] = dataclasses.replace(sources.RESOURCES["cifar100"], md5=md5)
    return {"images": images, "coarse": coarse, "fine": fine}


def coarse_triplets_by_loop(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Reference: the same five uniforms per triplet, decoded one triplet at a time."""
    u = np.random.default_rng(seed).random((n, 5))
    classes = sorted(set(labels.tolist()))
    members = {c: [i for i in range(len(labels)) if labels[i] == c] for c in classes}
    out = []
    for row in u:
        k = len(classes)
        a = min(int(row[0] * k), k - 1)
        b = (a + 1 + min(int(row[1] * (k - 1)), k - 2)) % k
        ma, mb = members[classes[a]], members[classes[b]]
        first = min(int(row[2] * len(ma)), len(ma) - 1)
        second = (first + 1 + min(int(row[3] * (len(ma) - 1)), len(ma) - 2)) % len(ma)
        odd = min(int(row[4] * len(mb)), len(mb) - 1)
        out.append([ma[first], ma[second], mb[odd]])
    return np.array(out)


def test_load_cifar100_decodes_the_pickles():
    truth = write_cifar(settings().data_dir)
    data = load_cifar100("test")
    assert data.images.shape == (N_COARSE * PER_CLASS, 32, 32, 3) and data.images.dtype == np.uint8
    assert np.array_equal(data.images, truth["images"])
    assert np.array_equal(data.coarse, truth["coarse"]) and np.array_equal(data.fine, truth["fine"])
    assert data.coarse_names[3] == "coarse3" and data.fine_names[99] == "fine99"
    with pytest.raises(ValueError, match="'valid'"):
        load_cifar100("valid")


def test_stimuli_are_balanced_seeded_pngs():
    truth = write_cifar(settings().data_dir)
    stim = load_cifar_coarse_stimuli("test", n_per_class=2, seed=3)
    assert len(stim) == 2 * N_COARSE
    assert np.bincount(stim.labels["coarse"], minlength=N_COARSE).tolist() == [2] * N_COARSE
    assert list(stim.labels["cifar_index"]) == sorted(stim.labels["cifar_index"])
    for path, index, coarse in zip(stim.paths, stim.labels["cifar_index"], stim.labels["coarse"]):
        assert path.is_relative_to(settings().data_dir / "cifar100-png" / "test")
        assert np.array_equal(np.asarray(Image.open(path)), truth["images"][index])
        assert coarse == truth["coarse"][index]
    assert stim.labels["coarse_name"][0] == f"coarse{stim.labels['coarse'][0]}"
    # Same seed, same subset; the PNGs are written once and reused.
    mtime = stim.paths[0].stat().st_mtime_ns
    again = load_cifar_coarse_stimuli("test", n_per_class=2, seed=3)
    assert again.ids == stim.ids and again.paths[0].stat().st_mtime_ns == mtime
    assert load_cifar_coarse_stimuli("test", n_per_class=2, seed=4).ids != stim.ids
    with pytest.raises(ValueError, match="at least 2"):
        load_cifar_coarse_stimuli("test", n_per_class=1)
    with pytest.raises(ValueError, match="fewer than n_per_class=5"):
        load_cifar_coarse_stimuli("test", n_per_class=5)


def test_sampled_triplets_match_plain_loop(rng):
    labels = rng.integers(0, 4, 30)
    labels[:8] = [0, 0, 1, 1, 2, 2, 3, 3]  # every class has two or more members
    fast = sample_coarse_triplets(labels, 500, seed=11)
    assert np.array_equal(fast.indices, coarse_triplets_by_loop(labels, 500, seed=11))


def test_sampled_triplets_have_the_planted_structure():
    labels = np.repeat(np.arange(5), [2, 3, 4, 5, 6])
    trip = sample_coarse_triplets(labels, 4000, seed=0)
    t = trip.indices
    assert trip.simulated and "CIFAR-100 coarse" in trip.source
    assert np.all(labels[t[:, 0]] == labels[t[:, 1]]) and np.all(labels[t[:, 0]] != labels[t[:, 2]])
    # Classes (of the pair) and members are drawn uniformly.
    pair_class = np.bincount(labels[t[:, 0]], minlength=5) / len(t)
    assert np.allclose(pair_class, 0.2, atol=0.03)
    assert np.array_equal(sample_coarse_triplets(labels, 50, seed=1).indices,
                          sample_coarse_triplets(labels, 50, seed=1).indices)
    assert not np.array_equal(sample_coarse_triplets(labels, 50, seed=1).indices,
                              sample_coarse_triplets(labels, 50, seed=2).indices)


def test_sampled_triplets_reject_bad_labels():
    with pytest.raises(ValueError, match="two classes"):
        sample_coarse_triplets(np.array([0, 0, 0]), 3)
    with pytest.raises(ValueError, match="two objects each"):
        sample_coarse_triplets(np.array([0, 0, 1]), 3)
    with pytest.raises(ValueError, match="one-dimensional"):
        sample_coarse_triplets(np.zeros((2, 2)), 3)


def test_load_cifar_coarse_end_to_end():
    write_cifar(settings().data_dir)
    stim, trip = load_cifar_coarse(n_per_class=3, n_triplets=200, seed=0)
    coarse = np.array(stim.labels["coarse"])
    assert trip.n_objects == len(stim) == 3 * N_COARSE and len(trip) == 200
    assert np.all(coarse[trip.indices[:, 0]] == coarse[trip.indices[:, 1]])
    assert np.all(coarse[trip.indices[:, 2]] != coarse[trip.indices[:, 0]])


def test_broken_files_are_named():
    root = settings().data_dir
    write_cifar(root, replace_files={"test": b"not a pickle"})
    with pytest.raises(DataError, match=r"cifar-100-python/test: not a CIFAR-100 python pickle"):
        load_cifar100("test")
    bad = pickle.dumps({b"data": np.zeros((2, 10), np.uint8), b"fine_labels": [0, 0], b"coarse_labels": [0, 0]}, protocol=2)
    write_cifar(root, replace_files={"test": bad})
    with pytest.raises(DataError, match=r"'data' must be uint8 of shape \(N, 3072\)"):
        load_cifar100("test")
    write_cifar(root, replace_files={"meta": None})
    with pytest.raises(DataError, match="meta does not exist"):
        load_cifar100("test")


class _Planted:
    """Unpickling this calls os.system: what an attacker would place as a data file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_planted_pickle_in_the_archive_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    write_cifar(settings().data_dir, replace_files={"test": pickle.dumps(_Planted(marker), protocol=2)})
    with pytest.raises(DataError, match=r"cifar-100-python/test.*refused to load posix\.system"):
        load_cifar100("test")
    assert not marker.exists()


def test_pickle_planted_in_the_unpacked_folder_is_replaced_unread(tmp_path, capsys):
    marker = tmp_path / "pwned"
    truth = write_cifar(settings().data_dir)
    load_cifar100("test")
    planted = settings().data_dir / "cifar100" / "cifar-100-python" / "test"
    planted.write_bytes(pickle.dumps(_Planted(marker), protocol=2))
    data = load_cifar100("test")
    assert not marker.exists() and "changed after unpacking" in capsys.readouterr().err
    assert np.array_equal(data.images, truth["images"])


def test_archive_not_matching_the_published_md5_is_not_unpacked(tmp_path):
    root = settings().data_dir
    write_cifar(root)
    sources.RESOURCES["cifar100"] = dataclasses.replace(sources.RESOURCES["cifar100"], md5="eb9058c3a382ffc7106e4002c42a8d85")
    with pytest.raises(DataError, match="MD5"):
        load_cifar100("test")
    assert not (root / "cifar100").exists()


def test_registered_archive_pins_the_published_md5():
    assert sources.get_resource("cifar100").md5 == "eb9058c3a382ffc7106e4002c42a8d85"


def test_missing_cifar_offline_says_where_to_get_it(monkeypatch):
    monkeypatch.setenv("HUMANALIGN_OFFLINE", "1")
    with pytest.raises(DataError, match=r"(?s)cifar100.*cs\.toronto\.edu.*cifar-100-python\.tar\.gz"):
        load_cifar100("test")
