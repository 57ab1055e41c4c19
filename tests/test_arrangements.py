"""Cichy 2019 multi-arrangement and King 2019 free-arrangement loaders, on files written here."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from humanalign.config import settings
from humanalign.errors import DataError, DataNotFoundError
from humanalign.datasets.arrangements import (
    dissimilarity_from_pairs,
    load_cichy118,
    load_king,
    read_mat,
)

_PNG = io.BytesIO()
Image.new("RGB", (4, 4), (10, 20, 30)).save(_PNG, format="PNG")
PNG = _PNG.getvalue()


def write_images(folder: Path, n: int, pattern: str = "{}.jpg") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, n + 1):
        (folder / pattern.format(i)).write_bytes(PNG)


def random_rdms(rng, participants: int, n: int) -> np.ndarray:
    x = rng.random((participants, n, n))
    x = x + x.transpose(0, 2, 1)
    x[:, np.arange(n), np.arange(n)] = 0
    return x


def square_by_loop(condensed: np.ndarray, n: int) -> np.ndarray:
    """Reference: fill the upper triangle row by row (MATLAB pdist order), then mirror."""
    out = np.zeros((n, n))
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = condensed[k]
            k += 1
    return out


# --- dissimilarity_from_pairs ---------------------------------------------------------------


def test_condensed_vector_matches_loop(rng):
    n = 7
    vec = rng.random(n * (n - 1) // 2)
    assert np.allclose(dissimilarity_from_pairs(vec, n, "v"), square_by_loop(vec, n))


def test_stacks_are_averaged_over_participants(rng):
    n, p = 6, 4
    stack = rng.random((p, n * (n - 1) // 2))
    expected = square_by_loop(stack.mean(0), n)
    assert np.allclose(dissimilarity_from_pairs(stack, n, "s"), expected)
    assert np.allclose(dissimilarity_from_pairs(stack.T, n, "s"), expected)
    rdms = random_rdms(rng, p, n)
    assert np.allclose(dissimilarity_from_pairs(rdms, n, "s"), rdms.mean(0))
    assert np.allclose(dissimilarity_from_pairs(rdms.transpose(1, 2, 0), n, "s"), rdms.mean(0))
    assert np.allclose(dissimilarity_from_pairs(rdms[:1], n, "s"), rdms[0])  # singleton axis


def test_missing_pairs_are_ignored_per_participant(rng):
    n = 4
    stack = rng.random((3, 6))
    stack[0, 2] = np.nan
    out = dissimilarity_from_pairs(stack, n, "s")
    assert np.isclose(out[0, 3], stack[1:, 2].mean())
    stack[:, 2] = np.nan
    with pytest.raises(DataError, match="no value from any participant"):
        dissimilarity_from_pairs(stack, n, "s")


def test_one_triangle_is_mirrored(rng):
    full = random_rdms(rng, 1, 5)[0]
    assert np.allclose(dissimilarity_from_pairs(np.triu(full), 5, "t"), full)
    assert np.allclose(dissimilarity_from_pairs(np.tril(full), 5, "t"), full)


def test_bad_layouts_are_refused(rng):
    with pytest.raises(DataError, match=r"BEHAVIOR.mat: distances of shape \(9,\) do not fit 5 images"):
        dissimilarity_from_pairs(rng.random(9), 5, "BEHAVIOR.mat")
    with pytest.raises(DataError, match="not symmetric"):
        dissimilarity_from_pairs(rng.random((5, 5)) + np.eye(5), 5, "x.mat")
    with pytest.raises(DataError, match="not numbers"):
        dissimilarity_from_pairs(np.array(["a", "b", "c"]), 3, "x.mat")


# --- Cichy 2019 -----------------------------------------------------------------------------


def place_cichy(root: Path, judgments: np.ndarray, n_images: int = 118) -> None:
    write_images(root / "images", n_images)
    (root / "sim_judgements").mkdir(parents=True, exist_ok=True)
    savemat(root / "sim_judgements" / "judgments_general.mat", {"judgments": judgments})


def test_cichy_loads_mean_over_participants(rng):
    rdms = random_rdms(rng, 3, 118)
    place_cichy(settings().data_dir / "cichy118", rdms)
    stimuli, human = load_cichy118()
    assert len(stimuli) == 118 and stimuli.name == "cichy118"
    # Natural order: 1, 2, ..., 10, 11, not 1, 10, 100, 101.
    assert [p.name for p in stimuli.paths[:11]] == [f"{i}.jpg" for i in range(1, 12)]
    assert human.kind == "dissimilarity" and human.ids == stimuli.ids
    assert human.matrix.shape == (118, 118)
    assert np.allclose(human.matrix, rdms.mean(0))


def test_cichy_from_mirror(rng, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    place_cichy(mirror / "cichy118", random_rdms(rng, 2, 118))
    monkeypatch.setenv("HUMANALIGN_MIRRORS", str(mirror))
    stimuli, _ = load_cichy118()
    assert stimuli.paths[0].is_relative_to(mirror)


def test_cichy_missing_says_how_to_place_it():
    with pytest.raises(DataNotFoundError, match=r"(?s)cichy118.*Looked in.*judgments_general\.mat"):
        load_cichy118()


def test_cichy_wrong_image_count(rng):
    place_cichy(settings().data_dir / "cichy118", random_rdms(rng, 2, 118), n_images=117)
    with pytest.raises(DataError, match="117 images, expected 118"):
        load_cichy118()


def test_cichy_wrong_key_and_wrong_shape(rng):
    root = settings().data_dir / "cichy118"
    place_cichy(root, random_rdms(rng, 2, 118))
    savemat(root / "sim_judgements" / "judgments_general.mat", {"rdm": np.zeros((118, 118))})
    with pytest.raises(DataError, match=r"judgments_general\.mat: no variable 'judgments' \(found \['rdm'\]\)"):
        load_cichy118()
    savemat(root / "sim_judgements" / "judgments_general.mat", {"judgments": random_rdms(rng, 2, 92)})
    with pytest.raises(DataError, match=r"judgments_general\.mat \['judgments'\]: distances of shape \(2, 92, 92\)"):
        load_cichy118()


def test_unreadable_mat_names_the_file(tmp_path):
    bad = tmp_path / "judgments_general.mat"
    bad.write_bytes(b"MATLAB? no, just text" * 20)
    with pytest.raises(DataError, match=r"judgments_general\.mat"):
        read_mat(bad)
    with pytest.raises(DataError, match="does not exist"):
        read_mat(tmp_path / "none.mat")


# --- King 2019 ------------------------------------------------------------------------------


def place_king(root: Path, behavior: dict, sizes: dict[str, int]) -> None:
    for name, n in sizes.items():
        write_images(root / "images" / name, n, pattern="img_{:02d}.png")
    (root / "sim_judgements").mkdir(parents=True, exist_ok=True)
    savemat(root / "sim_judgements" / "BEHAVIOR.mat", {"BEHAVIOR": behavior})


def test_king_nested_struct_square_and_condensed(rng):
    n1, n2 = 12, 9
    per_participant = rng.random((5, n1 * (n1 - 1) // 2))  # condensed, one row per participant
    square2 = random_rdms(rng, 1, n2)[0]
    place_king(
        settings().data_dir / "king",
        {"set1": {"pairwisedistances": per_participant}, "set2": {"pairwisedistances": square2}},
        {"set1": n1, "set2": n2},
    )
    stim1, human1 = load_king("set1")
    assert len(stim1) == n1 and stim1.name == "king-set1"
    assert stim1.ids[0] == "king/set1/img_01"
    assert np.allclose(human1.matrix, square_by_loop(per_participant.mean(0), n1))
    stim2, human2 = load_king("set2")
    assert len(stim2) == n2 and np.allclose(human2.matrix, square2)
    assert human2.kind == "dissimilarity" and human2.source == "BEHAVIOR.mat:set2"


def test_king_errors(rng):
    root = settings().data_dir / "king"
    with pytest.raises(ValueError, match="set3"):
        load_king("set3")
    place_king(root, {"set1": {"distances": np.zeros(3)}}, {"set1": 3, "set2": 3})
    with pytest.raises(DataError, match=r"BEHAVIOR\.set1: the struct has no field 'pairwisedistances'"):
        load_king("set1")
    with pytest.raises(DataError, match=r"BEHAVIOR: the struct has no field 'set2' \(fields: \['set1'\]\)"):
        load_king("set2")
    place_king(root, {"set1": {"pairwisedistances": rng.random(10)}}, {"set1": 3})
    with pytest.raises(DataError, match=r"pairwisedistances: distances of shape \(10,\) do not fit 3 images"):
        load_king("set1")
    savemat(root / "sim_judgements" / "BEHAVIOR.mat", {"other": np.zeros(2)})
    with pytest.raises(DataError, match="no variable 'BEHAVIOR'"):
        load_king("set1")


# --- values that are not real numbers ---------------------------------------------------------


def test_mat_numbers_refuses_text_structs_complex_and_negatives():
    from humanalign.datasets.arrangements import mat_numbers

    good = np.array([[0, 1.5], [1.5, 0]])
    np.testing.assert_array_equal(mat_numbers(good, "f.mat x"), good)
    np.testing.assert_array_equal(mat_numbers(good + 0j, "f.mat x"), good)  # zero imaginary parts
    np.testing.assert_array_equal(mat_numbers(np.array([[1, 2]], dtype=object), "f.mat x"), [[1.0, 2.0]])
    cases = [
        (np.array(["0110"]), "holds text"),
        (np.array([np.array(["1"]), np.array(["0"])], dtype=object), "holds text"),
        (np.zeros(1, dtype=[("RDM", object)]), "a MATLAB struct"),
        (good + 0.5j, r"complex numbers \(entry \(0, 0\)"),
        (np.array([np.zeros(2), np.zeros(3)], dtype=object), "not numbers"),
    ]
    for value, message in cases:
        with pytest.raises(DataError, match=rf"^f\.mat x: .*{message}"):
            mat_numbers(value, "f.mat x")
    negative = good.copy()
    negative[1, 0] = -2
    assert mat_numbers(negative, "f.mat x")[1, 0] == -2  # allowed unless asked
    with pytest.raises(DataError, match=r"1 of the dissimilarities are negative \(entry \(1, 0\) is -2\)"):
        mat_numbers(negative, "f.mat x", nonnegative=True, what="dissimilarities")
    # NaN marks a pair nobody arranged; it is not negative.
    assert np.isnan(mat_numbers(np.array([np.nan, 1.0]), "f.mat x", nonnegative=True)[0])
