"""Human IT matrices of the 92 images: the real file, and the clear errors of bad files."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.io import savemat

from conftest import needs_mirror
from humanalign.datasets import N_RSA92, BrainRdms, load_rsa92_brain, read_mat, read_rsa92_brain
from humanalign.datasets.rsa92_brain import parse_rdm_name
from humanalign.errors import DataError
from humanalign.fetch import fetch
from humanalign.sources import get_resource


def _rdm(rng, n: int = N_RSA92) -> np.ndarray:
    x = rng.random((n, n))
    x = x + x.T
    np.fill_diagonal(x, 0)
    return x


def _write(path, elements, key: str = "RDMs", shape: tuple[int, ...] | None = None) -> None:
    """A struct array like the toolbox's: one element (name, RDM) each, in MATLAB's layout."""
    struct = np.zeros((1, len(elements)), dtype=[("RDM", object), ("name", object), ("color", object)])
    for i, (name, rdm) in enumerate(elements):
        struct[0, i] = (rdm, name, np.array([0.0, 0.0, 1.0]))
    savemat(path, {key: struct.reshape(shape or struct.shape)})


def _elements(rng, people=("BE", "KO", "SN"), sessions=(1, 2)):
    return [(f"hIT | {p} | Session: {s}", _rdm(rng)) for p in people for s in sessions]


@needs_mirror
def test_real_file_gives_four_people_two_sessions_in_file_order():
    brain = load_rsa92_brain()
    assert brain.rdms.shape == (4, 2, N_RSA92, N_RSA92) and brain.rdms.dtype == np.float64
    assert brain.subjects == ("BE", "KO", "SN", "TI") and brain.sessions == (1, 2) and brain.region == "hIT"
    assert np.array_equal(brain.rdms, brain.rdms.transpose(0, 1, 3, 2))
    assert np.all(np.diagonal(brain.rdms, axis1=2, axis2=3) == 0)
    assert 0 <= brain.rdms.min() and brain.rdms.max() < 2  # 1 - Pearson r
    # Element (1, s, t) of the struct array is person s, session t; checked on the raw file.
    raw = read_mat(fetch(get_resource("rsa92/92_brainRDMs.mat")))["RDMs"]
    assert raw.shape == (1, 4, 2)
    np.testing.assert_array_equal(brain.rdms[2, 1], np.asarray(raw[0, 2, 1]["RDM"], dtype=np.float64))
    np.testing.assert_allclose(brain.per_subject(), brain.rdms.mean(axis=1))
    # The paper's Figure 1 human IT matrix is the mean of the eight (an independent copy).
    fig1 = read_mat(fetch(get_resource("rsa92/Kriegeskorte_Neuron2008_supplementalData.mat")))["RDMs_mIT_hIT_fig1"]
    hit = np.asarray(fig1[0, 1]["RDM"], dtype=np.float64).ravel()  # condensed, MATLAB squareform order
    rows, cols = np.triu_indices(N_RSA92, k=1)
    np.testing.assert_allclose(brain.grand_mean()[rows, cols], hit, atol=1e-6)


def test_people_and_sessions_are_read_from_the_names_not_the_order(tmp_path, rng):
    elements = _elements(rng)
    shuffled = [elements[k] for k in (3, 0, 5, 2, 1, 4)]  # KO 2, BE 1, SN 2, KO 1, BE 2, SN 1
    _write(tmp_path / "ok.mat", shuffled, shape=(1, 3, 2))
    brain = read_rsa92_brain(tmp_path / "ok.mat")
    assert isinstance(brain, BrainRdms)
    assert brain.subjects == ("KO", "BE", "SN") and brain.sessions == (1, 2)
    np.testing.assert_allclose(brain.rdms[0, 1], elements[3][1])  # KO, session 2
    np.testing.assert_allclose(brain.rdms[1, 0], elements[0][1])  # BE, session 1
    np.testing.assert_allclose(brain.per_subject()[2], (elements[4][1] + elements[5][1]) / 2)


def test_names_parse_with_spaces_and_refuse_other_forms():
    assert parse_rdm_name("hIT | BE | Session: 1", "f") == ("hIT", "BE", 1)
    assert parse_rdm_name(" EVC|Subject 3|session 12 ", "f") == ("EVC", "Subject 3", 12)
    for bad in ("hIT BE Session 1", "hIT | BE", "hIT | BE | Session: one", "| BE | Session: 1"):
        with pytest.raises(DataError, match=r"f: name .* does not read as 'region \| person \| Session: number'"):
            parse_rdm_name(bad, "f")


@pytest.mark.parametrize("fault, message", [
    ("key", "no variable 'RDMs'"),
    ("shape", "RDMs(1, 4): RDM has shape (91, 91), expected (92, 92)"),
    ("one session", "person 'SN' has no matrix for session(s) [2]"),
    ("asymmetric", "RDMs(1, 2): RDM is not symmetric"),
    ("nan", "RDMs(1, 6): RDM holds NaN"),
    ("text", "RDMs(1, 1).RDM: holds text"),
    ("name", "RDMs(1, 3): name 'KO session 1' does not read"),
    ("twice", "RDMs(1, 6): person 'SN', session 1 occurs a second time"),
    ("regions", "the names cover the regions ['EVC', 'hIT']"),
    ("one person", "1 person found; comparing people needs at least two"),
    ("no name", "RDMs(1, 1): the struct has no field 'name'"),
])
def test_bad_files_name_the_file_the_element_and_the_fault(tmp_path, rng, fault, message):
    elements = _elements(rng)
    key = "RDMs"
    if fault == "key":
        key = "rdms"
    elif fault == "shape":
        elements[3] = (elements[3][0], _rdm(rng, 91))
    elif fault == "one session":
        elements = elements[:5]
    elif fault == "asymmetric":
        elements[1][1][0, 5] += 0.5
    elif fault == "nan":
        elements[5][1][2, 3] = elements[5][1][3, 2] = np.nan
    elif fault == "text":
        elements[0] = (elements[0][0], "not a matrix")
    elif fault == "name":
        elements[2] = ("KO session 1", elements[2][1])
    elif fault == "twice":
        elements[5] = ("hIT | SN | Session: 1", elements[5][1])
    elif fault == "regions":
        elements[4] = ("EVC | SN | Session: 1", elements[4][1])
    elif fault == "one person":
        elements = elements[:2]
    path = tmp_path / "bad.mat"
    if fault == "no name":
        savemat(path, {"RDMs": np.array([[(e[1],) for e in elements]], dtype=[("RDM", object)])})
    else:
        _write(path, elements, key)
    with pytest.raises(DataError, match="bad.mat") as err:
        read_rsa92_brain(path)
    assert message in str(err.value)


def test_a_file_that_is_no_mat_file_is_named(tmp_path):
    (tmp_path / "broken.mat").write_bytes(b"not a MATLAB file")
    with pytest.raises(DataError, match=r"broken.mat"):
        read_rsa92_brain(tmp_path / "broken.mat")


def test_the_container_refuses_a_shape_that_does_not_match_its_names():
    with pytest.raises(DataError, match=r"rdms has shape \(2, 2, 92, 92\), expected \(3, 2, 92, 92\)"):
        BrainRdms(np.zeros((2, 2, N_RSA92, N_RSA92)), ("a", "b", "c"), (1, 2), "hIT")
