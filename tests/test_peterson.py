"""Peterson et al. similarity data: six domains x 120 images, one .mat with a 'sim' key each."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from humanalign.config import settings
from humanalign.errors import DataError, DataNotFoundError
from humanalign.datasets.peterson import N_PETERSON, PETERSON_DOMAINS, load_peterson

_PNG = io.BytesIO()
Image.new("RGB", (4, 4), (200, 100, 0)).save(_PNG, format="PNG")
PNG = _PNG.getvalue()


def symmetric(rng, n: int = N_PETERSON) -> np.ndarray:
    x = rng.random((n, n))
    return (x + x.T) / 2


def place_domain(root: Path, domain: str, mat: dict, n_images: int = N_PETERSON) -> Path:
    folder = root / "peterson" / domain
    (folder / "images").mkdir(parents=True, exist_ok=True)
    for i in range(n_images):
        (folder / "images" / f"{domain}_{i + 1}.png").write_bytes(PNG)
    savemat(folder / f"{domain}_simmat.mat", mat)
    return folder


def test_six_domains_are_named():
    assert PETERSON_DOMAINS == ("animals", "automobiles", "fruits", "furniture", "various", "vegetables")


@pytest.mark.parametrize("key", ["simmat", "animals_sim", "SIM_matrix"])
def test_loads_matrix_under_a_sim_key(rng, key):
    matrix = symmetric(rng)
    place_domain(settings().data_dir, "animals", {key: matrix, "labels": np.arange(3)})
    stimuli, human = load_peterson("animals")
    assert len(stimuli) == 120 and stimuli.name == "peterson-animals"
    assert [p.name for p in stimuli.paths[:10]] == [f"animals_{i}.png" for i in range(1, 11)]
    assert human.kind == "similarity" and human.ids == stimuli.ids
    assert np.allclose(human.matrix, matrix) and human.source == f"animals_simmat.mat:{key}"


def test_each_domain_is_its_own_folder(rng):
    a, b = symmetric(rng), symmetric(rng)
    place_domain(settings().data_dir, "fruits", {"sim": a})
    place_domain(settings().data_dir, "vegetables", {"sim": b})
    assert np.allclose(load_peterson("fruits")[1].matrix, a)
    assert np.allclose(load_peterson("vegetables")[1].matrix, b)
    with pytest.raises(DataError, match="lacks the domain 'furniture'"):
        load_peterson("furniture")


def test_errors(rng):
    with pytest.raises(ValueError, match="Unknown Peterson domain 'cars'"):
        load_peterson("cars")
    with pytest.raises(DataNotFoundError, match=r"(?s)peterson.*Looked in.*'sim'"):
        load_peterson("animals")
    root = settings().data_dir
    folder = place_domain(root, "animals", {"similarity": symmetric(rng), "simnames": np.arange(3)})
    with pytest.raises(DataError, match="exactly one variable whose name contains 'sim'"):
        load_peterson("animals")
    savemat(folder / "animals_simmat.mat", {"sim": symmetric(rng, 100)})
    with pytest.raises(DataError, match=r"animals_simmat\.mat \['sim'\]: matrix of shape \(100, 100\), expected \(120, 120\)"):
        load_peterson("animals")
    savemat(folder / "animals_simmat.mat", {"sim": rng.random((120, 120)) + 5 * np.eye(120)})
    with pytest.raises(DataError, match="not symmetric"):
        load_peterson("animals")
    (folder / "animals_simmat.mat").unlink()
    with pytest.raises(DataError, match=r"no \.mat file"):
        load_peterson("animals")


def test_wrong_image_count(rng):
    place_domain(settings().data_dir, "various", {"sim": symmetric(rng)}, n_images=119)
    with pytest.raises(DataError, match="119 images, expected 120"):
        load_peterson("various")
