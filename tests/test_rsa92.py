"""The 92-image set: loader against the real files, and the clear errors of bad files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from conftest import needs_mirror
from humanalign.datasets import N_RSA92, load_rsa92, read_rsa92_images, read_rsa92_rdms
from humanalign.errors import DataError


def _rdm(rng, n: int = N_RSA92) -> np.ndarray:
    x = rng.random((n, n))
    x = x + x.T
    np.fill_diagonal(x, 0)
    return x


def _write_rdms(path, rdms, key="rdms_behav_92") -> None:
    struct = np.zeros((1, len(rdms)), dtype=[("RDM", object), ("name", object)])
    for i, rdm in enumerate(rdms):
        struct[0, i]["RDM"] = rdm
        struct[0, i]["name"] = f"person {i + 1}"
    savemat(path, {key: struct})


@needs_mirror
def test_real_files_give_16_people_92_images_and_valid_matrices(isolated_folders):
    data = load_rsa92()
    assert data.rdms.shape == (16, N_RSA92, N_RSA92)
    assert len(data.participants) == 16
    assert np.array_equal(data.rdms, data.rdms.transpose(0, 2, 1))
    assert np.all(np.diagonal(data.rdms, axis1=1, axis2=2) == 0)
    assert np.all(data.rdms >= 0) and np.all(np.isfinite(data.rdms))
    # Every person's matrix holds information (not a constant).
    assert np.all(data.rdms.reshape(16, -1).std(axis=1) > 0)
    stim = data.stimuli
    assert len(stim) == N_RSA92 and stim.name == "rsa92"
    assert set(stim.labels) == {"category", "human", "face", "animal", "natural"}
    assert sum(stim.labels["animal"]) == 48  # 48 animate and 44 inanimate objects
    with Image.open(stim.paths[0]) as img:
        assert img.size == (175, 175) and img.mode == "RGB"
    assert data.mean_rdm.matrix.shape == (N_RSA92, N_RSA92) and data.mean_rdm.kind == "dissimilarity"


@needs_mirror
def test_images_are_rewritten_when_a_png_was_altered(isolated_folders):
    data = load_rsa92()
    path = data.stimuli.paths[3]
    before = np.asarray(Image.open(path).convert("RGB"))
    Image.new("RGB", (175, 175), (0, 0, 0)).save(path)
    again = load_rsa92()
    assert np.array_equal(np.asarray(Image.open(again.stimuli.paths[3]).convert("RGB")), before)


@needs_mirror
def test_a_second_load_reuses_the_parsed_files_until_one_changes(isolated_folders, monkeypatch):
    import humanalign.datasets.rsa92 as module

    first = load_rsa92()
    assert not first.rdms.flags.writeable  # shared by every caller: nobody may change it
    with monkeypatch.context() as patched:
        patched.setattr(module, "read_rsa92_rdms", lambda *a: pytest.fail("the .mat file was parsed again"))
        assert load_rsa92() is first
    # A PNG removed since is a changed state: the files are read again and the PNG rewritten.
    first.stimuli.paths[5].unlink()
    again = load_rsa92()
    assert again is not first and first.stimuli.paths[5].is_file()
    np.testing.assert_array_equal(again.rdms, first.rdms)


def test_rdm_reader_accepts_a_well_formed_file(tmp_path, rng):
    rdms = [_rdm(rng) for _ in range(3)]
    _write_rdms(tmp_path / "ok.mat", rdms)
    got, names = read_rsa92_rdms(tmp_path / "ok.mat")
    assert got.shape == (3, N_RSA92, N_RSA92) and names == ("person 1", "person 2", "person 3")
    np.testing.assert_allclose(got[1], rdms[1])


@pytest.mark.parametrize("fault, message", [
    ("key", "no variable 'rdms_behav_92'"),
    ("shape", "shape (91, 91)"),
    ("asymmetric", "not symmetric"),
    ("diagonal", "zero diagonal"),
    ("nan", "NaN"),
    ("one", "at least two"),
])
def test_bad_rdm_files_name_the_file_and_the_fault(tmp_path, rng, fault, message):
    rdms = [_rdm(rng) for _ in range(2)]
    key = "rdms_behav_92"
    if fault == "key":
        key = "something_else"
    elif fault == "shape":
        rdms[1] = _rdm(rng, 91)
    elif fault == "asymmetric":
        rdms[1][0, 5] += 0.5
    elif fault == "diagonal":
        rdms[0][4, 4] = 1.0
    elif fault == "nan":
        rdms[1][2, 3] = rdms[1][3, 2] = np.nan
    elif fault == "one":
        rdms = rdms[:1]
    path = tmp_path / "bad.mat"
    _write_rdms(path, rdms, key)
    with pytest.raises(DataError, match="bad.mat") as err:
        read_rsa92_rdms(path)
    assert message in str(err.value)


def test_image_reader_refuses_wrong_count_and_wrong_pixels(tmp_path):
    dtype = [("image", object), ("category", object), ("human", object), ("face", object),
             ("animal", object), ("natural", object)]
    struct = np.zeros((1, 5), dtype=dtype)
    for i in range(5):
        struct[0, i] = (np.zeros((4, 4, 3), np.uint8), "x", 0, 0, 1, 1)
    savemat(tmp_path / "few.mat", {"stimuli_92objs": struct})
    with pytest.raises(DataError, match="holds 5 images, expected 92"):
        read_rsa92_images(tmp_path / "few.mat")
    struct = np.zeros((1, N_RSA92), dtype=dtype)
    for i in range(N_RSA92):
        struct[0, i] = (np.zeros((4, 4), np.float64), "x", 0, 0, 1, 1)
    savemat(tmp_path / "grey.mat", {"stimuli_92objs": struct})
    with pytest.raises(DataError, match=r"grey.mat.*uint8"):
        read_rsa92_images(tmp_path / "grey.mat")
