"""Reference models of the 92 images: the real file, the kinds, and the clear errors of bad files."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.io import savemat

from conftest import needs_mirror
from humanalign.datasets import MODEL_INFO, N_RSA92, Rsa92Models, load_rsa92_models, read_mat, read_rsa92_models
from humanalign.errors import DataError
from humanalign.fetch import fetch
from humanalign.sources import get_resource

NAMES = ("animacy", "FaceBodyManmadeNatobj", "monkeyIT", "EVA", "HMAX", "V1", "Silhouette", "RADON")


def _rdm(rng, n: int = N_RSA92) -> np.ndarray:
    x = rng.random((n, n))
    x = x + x.T
    np.fill_diagonal(x, 0)
    return x


def _write(path, elements, key: str = "Models") -> None:
    struct = np.zeros((1, len(elements)), dtype=[("RDM", object), ("color", object), ("name", object)])
    for i, (name, rdm) in enumerate(elements):
        struct[0, i] = (rdm, np.array([0, 1, 0], dtype=np.uint8), name)
    savemat(path, {key: struct})


@needs_mirror
def test_real_file_gives_the_eight_models_in_file_order_with_their_kinds():
    models = load_rsa92_models()
    assert tuple(models) == NAMES and len(models) == 8
    assert models.names_of("category") == ("animacy", "FaceBodyManmadeNatobj")
    assert models.names_of("brain") == ("monkeyIT", "EVA")
    assert models.names_of("image-computable") == ("HMAX", "V1", "Silhouette", "RADON")
    for name in NAMES:
        rdm = models[name]
        assert rdm.shape == (N_RSA92, N_RSA92) and rdm.dtype == np.float64
        assert np.array_equal(rdm, rdm.T) and np.all(np.diag(rdm) == 0) and rdm.std() > 0
        assert models.label[name] and "(" in models.description[name]  # a citation
    assert models.stack().shape == (8, N_RSA92, N_RSA92)
    np.testing.assert_array_equal(models.stack(["V1", "EVA"])[1], models["EVA"])


@needs_mirror
def test_real_models_agree_with_the_category_labels_and_figure_1_of_the_paper():
    models = load_rsa92_models()
    supplement = read_mat(fetch(get_resource("rsa92/Kriegeskorte_Neuron2008_supplementalData.mat")))
    labels = [str(np.asarray(x).ravel()[0]) for x in supplement["categoryLabels"].ravel()]
    vectors = supplement["categoryVectors"]
    animate = vectors[:, labels.index("animate")]
    np.testing.assert_array_equal(models["animacy"], animate[:, None] != animate[None, :])
    group = vectors[:, [labels.index(c) for c in ("face", "body", "natObj", "artiObj")]].argmax(axis=1)
    np.testing.assert_array_equal(models["FaceBodyManmadeNatobj"], group[:, None] != group[None, :])
    monkey = np.asarray(supplement["RDMs_mIT_hIT_fig1"][0, 0]["RDM"], dtype=np.float64).ravel()
    rows, cols = np.triu_indices(N_RSA92, k=1)
    np.testing.assert_allclose(models["monkeyIT"][rows, cols], monkey)


def test_every_model_has_a_kind_a_label_and_a_cited_description():
    assert tuple(MODEL_INFO) == NAMES
    for kind, label, description in MODEL_INFO.values():
        assert kind in ("category", "brain", "image-computable")
        assert label and description.endswith(".") and any(str(y) in description for y in range(1990, 2020))


def test_a_well_formed_file_in_another_order_keeps_that_order(tmp_path, rng):
    elements = [(name, _rdm(rng)) for name in reversed(NAMES)]
    _write(tmp_path / "ok.mat", elements)
    models = read_rsa92_models(tmp_path / "ok.mat")
    assert isinstance(models, Rsa92Models) and tuple(models) == NAMES[::-1]
    np.testing.assert_allclose(models["V1"], elements[2][1])
    assert "V1" in models and "AlexNet" not in models and models.get("AlexNet") is None
    with pytest.raises(KeyError, match="No reference model 'AlexNet'; the models are"):
        models["AlexNet"]
    with pytest.raises(ValueError, match="Unknown model kind 'deep'"):
        models.names_of("deep")


@pytest.mark.parametrize("fault, message", [
    ("key", "no variable 'Models'"),
    ("unknown", "Models(2): unknown model 'faces'"),
    ("twice", "Models(8): model 'animacy' occurs a second time"),
    ("missing", "the models ['RADON'] are missing"),
    ("shape", "Models(3): RDM has shape (92, 91), expected (92, 92)"),
    ("nan", "Models(5): RDM holds NaN"),
    ("text", "Models(4).RDM: holds text"),
    ("asymmetric", "Models(6): RDM is not symmetric"),
])
def test_bad_files_name_the_file_the_element_and_the_fault(tmp_path, rng, fault, message):
    elements = [(name, _rdm(rng)) for name in NAMES]
    key = "Models"
    if fault == "key":
        key = "models"
    elif fault == "unknown":
        elements[1] = ("faces", elements[1][1])
    elif fault == "twice":
        elements[7] = ("animacy", elements[7][1])
    elif fault == "missing":
        elements = elements[:7]
    elif fault == "shape":
        elements[2] = (elements[2][0], elements[2][1][:, :91])
    elif fault == "nan":
        elements[4][1][0, 1] = elements[4][1][1, 0] = np.nan
    elif fault == "text":
        elements[3] = (elements[3][0], "EVA")
    elif fault == "asymmetric":
        elements[5][1][7, 2] += 1.0
    path = tmp_path / "bad.mat"
    _write(path, elements, key)
    with pytest.raises(DataError, match="bad.mat") as err:
        read_rsa92_models(path)
    assert message in str(err.value)
